#!/usr/bin/env python3
"""`pulse-operator render --shards N` and `config-sync --shard I` from the command line
(docs/sharding.md): the shard configs match the golden files (and promtool accepts them), one
shard is exactly today's prometheus.yml, re-rendering over a sharded output works, and bad
values are refused with exit 64 and a message naming the range.

usage: render_cli_test.py PULSE_OPERATOR SOURCE_DIR [PROMTOOL_WITH_K8S_SD]
PULSE_UPDATE_GOLDEN=1 rewrites golden/ from the current output.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True)


def main():
    operator, source = sys.argv[1], pathlib.Path(sys.argv[2])
    promtool = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
    testdata, golden = source / "testdata", source / "golden"
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="pulse-shard-cli-"))
    try:
        out = tmp / "out"
        r = run(operator, "render", "-f", testdata, "-o", out, "--shards", "2")
        check(r.returncode == 0, f"render --shards 2 exit {r.returncode}: {r.stderr}")
        names = sorted(p.name for p in out.iterdir())
        check(names == ["dashboards", "exporters", "prometheus-shard-0.yml",
                        "prometheus-shard-1.yml", "rules"], f"entries {names}")
        check("2 shard config(s)" in r.stdout, f"summary: {r.stdout!r}")

        shards = sorted(out.glob("prometheus-shard-*.yml"))
        if os.environ.get("PULSE_UPDATE_GOLDEN") == "1":
            golden.mkdir(exist_ok=True)
            for f in shards:
                shutil.copyfile(f, golden / f.name)
        for f in shards:
            want = golden / f.name
            check(want.exists() and want.read_text() == f.read_text(),
                  f"{f.name} differs from {want} (PULSE_UPDATE_GOLDEN=1 to accept)")
            if promtool:
                p = run(promtool, "check", "config", "--syntax-only", f)
                check(p.returncode == 0, f"promtool check config {f.name}: {p.stdout}{p.stderr}")

        # Re-rendering over a sharded output is allowed (it is render's own output), and
        # --shards 1 replaces it with the plain layout.
        plain = tmp / "plain"
        r = run(operator, "render", "-f", testdata, "-o", plain)
        check(r.returncode == 0, f"render exit {r.returncode}: {r.stderr}")
        r = run(operator, "render", "-f", testdata, "-o", out, "--shards", "1")
        check(r.returncode == 0, f"render --shards 1 over a sharded output: {r.stderr}")
        check(not list(out.glob("prometheus-shard-*")), "shard configs left after --shards 1")
        check((out / "prometheus.yml").read_bytes() == (plain / "prometheus.yml").read_bytes(),
              "--shards 1 differs from no --shards")
        r = run(operator, "render", "-f", testdata, "-o", out, "--shards=3")
        check(r.returncode == 0 and len(list(out.glob("prometheus-shard-*.yml"))) == 3,
              f"--shards=3 over a plain output: {r.returncode} {r.stderr}")

        for bad in ["0", "65", "-1", "two", "2x", " 2", "4294967298"]:
            r = run(operator, "render", "-f", testdata, "-o", tmp / "bad", "--shards", bad)
            check(r.returncode == 64 and
                  f'--shards wants a whole number from 1 to 64, got "{bad}"' in r.stderr,
                  f"--shards {bad!r}: exit {r.returncode}, {r.stderr!r}")
        r = run(operator, "render", "-f", testdata, "-o", tmp / "bad", "--shards")
        check(r.returncode == 64 and "--shards needs a value" in r.stderr, f"--shards: {r.stderr}")
        check(not (tmp / "bad").exists(), "a refused command line wrote output")

        for bad in ["0", "65", "x"]:
            r = run(operator, "run", "--check-flags", "--shards", bad)
            check(r.returncode == 64 and
                  f'--shards wants a whole number from 1 to 64, got "{bad}"' in r.stderr,
                  f"run --shards {bad!r}: exit {r.returncode}, {r.stderr!r}")
        r = run(operator, "run", "--check-flags", "--shards", "4")
        check(r.returncode == 0, f"run --shards 4: {r.returncode} {r.stderr}")

        sync = [operator, "config-sync", "--config-dir", tmp / "cfg", "--check-flags"]
        for good in ["0", "63"]:
            r = run(*sync, "--shard", good)
            check(r.returncode == 0, f"config-sync --shard {good}: {r.returncode} {r.stderr}")
        for bad in ["64", "-1", "x", ""]:
            r = run(*sync, f"--shard={bad}")
            check(r.returncode == 64 and "--shard " in r.stderr,
                  f"config-sync --shard={bad!r}: {r.returncode} {r.stderr!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
