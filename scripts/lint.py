#!/usr/bin/env python3
"""Lints pulse's C++ sources: clang-tidy (the checked-in .clang-tidy) and clang-format.

    scripts/lint.py tidy BUILD_DIR [FILE...]   clang-tidy on every project source in BUILD_DIR's
                                               compile_commands.json (or just FILE...)
    scripts/lint.py format [--fix] [FILE...]   clang-format --dry-run on every tracked C++ file

clang-tidy costs seconds per file, so a clean result is remembered per file under
~/.cache/pulse-lint (override with PULSE_LINT_CACHE). The key covers everything that can change
the verdict: the file, every project header, the compile command, .clang-tidy and the
clang-tidy version. A fresh clone in another folder reuses the cache (paths are made relative).
Exit status: 0 clean, 1 findings (printed), 2 usage or tool errors.
"""
import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Folders whose sources pulse owns (third-party code never lives in the tree).
SOURCE_DIRS = ("operator", "exporter", "instrumentation", "examples", "tests")


def tracked(suffixes):
    out = subprocess.run(["git", "-C", ROOT, "ls-files", "--", *SOURCE_DIRS],
                         check=True, capture_output=True, text=True).stdout.split()
    return sorted(f for f in out if f.endswith(suffixes))


def sha(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else p.encode())
        h.update(b"\0")
    return h.hexdigest()


def run_format(args):
    fix = "--fix" in args
    files = [a for a in args if a != "--fix"] or tracked((".cc", ".h"))
    cmd = ["clang-format", "-i"] if fix else ["clang-format", "--dry-run", "--Werror"]
    bad = []
    for i in range(0, len(files), 50):  # batches keep the command line short
        r = subprocess.run(cmd + files[i:i + 50], cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            bad.append(r.stderr)
    if bad:
        sys.stdout.write("".join(bad)[:20000])
        print("clang-format: files differ from .clang-format; fix with scripts/lint.py format --fix")
        return 1
    print(f"clang-format: {len(files)} files clean")
    return 0


def object_deps(build):
    """object file (absolute) -> the files it was compiled from, per `ninja -t deps`."""
    r = subprocess.run(["ninja", "-C", build, "-t", "deps"], capture_output=True, text=True)
    deps, current = {}, None
    for line in r.stdout.splitlines():
        if not line.strip():
            current = None
        elif not line.startswith(" ") and ": #deps" in line:
            current = os.path.normpath(os.path.join(build, line.split(": #deps")[0]))
            deps[current] = []
        elif current is not None:
            deps[current].append(os.path.normpath(os.path.join(build, line.strip())))
    return deps


def run_tidy(args):
    if not args:
        print(__doc__)
        return 2
    build = os.path.abspath(args[0])
    db_path = os.path.join(build, "compile_commands.json")
    try:
        with open(db_path) as f:
            db = json.load(f)
    except OSError as e:
        print(f"clang-tidy: cannot read {db_path}: {e}")
        return 2
    wanted = {os.path.join(ROOT, f) for f in (args[1:] or tracked((".cc",)))}
    entries = {}
    for e in db:
        path = os.path.normpath(os.path.join(e["directory"], e["file"]))
        if path in wanted and "/fuzz/" not in path:
            entries[path] = e
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True, text=True).stdout
    with open(os.path.join(ROOT, ".clang-tidy"), "rb") as f:
        config = f.read()
    common = sha(version, config)
    deps = object_deps(build)
    cache = os.environ.get("PULSE_LINT_CACHE",
                           os.path.join(os.path.expanduser("~"), ".cache", "pulse-lint"))
    os.makedirs(cache, exist_ok=True)

    def key(path, entry):
        command = entry.get("command") or " ".join(entry.get("arguments", []))
        # The build dir first: it usually lies inside the checkout, and its name differs between
        # a developer's tree and CI's clone, while the lint verdict does not.
        command = command.replace(build, "@BUILD@").replace(ROOT, "@ROOT@")
        parts = [common, command, os.path.relpath(path, ROOT), open(path, "rb").read()]
        # The project headers this file includes (from the build's dependency log): a header
        # change re-lints exactly the files that include it. Without a log, every header counts.
        output = entry.get("output") or (command.split(" -o ")[1].split()[0]
                                         if " -o " in command else "")
        headers = deps.get(os.path.normpath(os.path.join(entry["directory"], output)))
        if headers is None:
            headers = [os.path.join(ROOT, h) for h in tracked((".h",))]
        for h in sorted(headers):
            if h.startswith(build + os.sep) and os.path.exists(h):  # generated (version.h)
                parts += ["@BUILD@/" + os.path.relpath(h, build), open(h, "rb").read()]
            elif h.startswith(ROOT + os.sep) and os.path.exists(h):
                parts += [os.path.relpath(h, ROOT), open(h, "rb").read()]
        return sha(*parts)

    def check(item):
        path, entry = item
        stamp = os.path.join(cache, key(path, entry))
        if os.path.exists(stamp):
            return path, True, "", True
        r = subprocess.run(["clang-tidy", "--quiet", "--extra-arg=-Wno-unknown-warning-option", "-p",
                            build, path],
                           cwd=ROOT, capture_output=True, text=True)
        clean = r.returncode == 0 and ": warning:" not in r.stdout and ": error:" not in r.stdout
        if clean:
            open(stamp, "w").close()
        return path, clean, r.stdout + r.stderr, False

    cached = checked = 0
    failures = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for path, clean, output, from_cache in pool.map(check, sorted(entries.items())):
            checked += 1
            cached += from_cache
            if not clean:
                failures.append((path, output))
    for path, output in failures:
        lines = [l for l in output.splitlines() if "warnings generated" not in l]
        print(f"--- {os.path.relpath(path, ROOT)}\n" + "\n".join(lines[:60]))
    print(f"clang-tidy: {checked} files, {cached} unchanged since a clean run, "
          f"{len(failures)} with findings")
    return 1 if failures else 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("tidy", "format"):
        print(__doc__)
        return 2
    return run_tidy(sys.argv[2:]) if sys.argv[1] == "tidy" else run_format(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
