"""The runtime stage of each Dockerfile installs what its binary needs: every shared library
the binary (built here on Debian 12, the images' base) links is in a package the stage installs,
one of their dependencies, or part of the Debian base (Priority required). The images are
Debian 12, multi-stage, and run as a non-root user.
Usage: dockerfile_test.py DOCKERFILE=BINARY..."""
import os
import re
import subprocess
import sys

from chart_lib import SOURCE, check, finish


def stages(path):
    """[(FROM line, [RUN/USER/... lines])] with continuation lines joined."""
    text = re.sub(r"\\\n", " ", open(path).read())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            out.append((line, []))
        elif out:
            out[-1][1].append(line)
    return out


def installed_by(lines):
    pkgs = []
    for line in lines:
        m = re.search(r"apt-get install ([^&]*)", line)
        if m:
            pkgs += [w for w in m.group(1).split() if not w.startswith("-")]
    return pkgs


def closure(pkgs):
    out = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                          "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances",
                          *pkgs], capture_output=True, text=True, check=True).stdout
    return {line.strip().split()[-1].strip("<>").split(":")[0] for line in out.splitlines()
            if line.strip() and not line.strip().startswith("|")}


def needed_packages(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    pkgs = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line)
        if not m:
            continue
        path = os.path.realpath(m.group(2))
        owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        if owner.returncode != 0:  # /lib vs /usr/lib (merged /usr): try the other spelling
            alt = path.replace("/usr/lib/", "/lib/", 1) if path.startswith("/usr/lib/") else \
                "/usr" + path
            owner = subprocess.run(["dpkg", "-S", alt], capture_output=True, text=True)
        pkgs[m.group(1)] = owner.stdout.split(":")[0] if owner.returncode == 0 else None
    return pkgs


for spec in sys.argv[1:]:
    dockerfile, binary = spec.split("=", 1)
    name = os.path.basename(dockerfile)
    st = stages(os.path.join(SOURCE, "deploy", "docker", dockerfile))
    check(len(st) >= 2, f"{name}: multi-stage ({len(st)} stages)")
    check(all(re.match(r"FROM debian:12(\.\d+)?(-slim)?( AS \w+)?$", f) for f, _ in st),
          f"{name}: every stage is Debian 12, pinned ({[f for f, _ in st]})")
    final = st[-1][1]
    user = [l for l in final if l.startswith("USER ")]
    check(user and user[-1].split()[1].split(":")[0] not in ("0", "root"),
          f"{name}: runs as a non-root user ({user})")
    listed = installed_by(final)
    have = closure(listed)
    for lib, pkg in sorted(needed_packages(binary).items()):
        if pkg is None:
            check(False, f"{name}: {lib} belongs to no Debian package")
            continue
        prio = subprocess.run(["dpkg-query", "-W", "-f=${Priority}", pkg], capture_output=True,
                              text=True).stdout
        check(pkg in have or prio == "required",
              f"{name}: {lib} ({pkg}) is installed by the runtime stage")
finish()
