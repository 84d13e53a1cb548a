#!/usr/bin/env python3
"""compose_check.py on broken copies of deploy/docker-compose.yml: each mistake is reported with
what is wrong and where (a missing mount source by its path), and the real file has none of
them (so each message comes from the mutation alone).
  compose_bad_cases_test.py REPO_ROOT
"""
import copy
import os
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compose_check  # noqa: E402


def main(repo):
    compose_dir = os.path.join(repo, "deploy")
    good = yaml.safe_load(open(os.path.join(compose_dir, "docker-compose.yml")))
    base = compose_check.check_structure(good, compose_dir)
    if base:
        print("FAIL: the real compose file already has problems:", *base, sep="\n  ")
        return 1
    missing = os.path.join(compose_dir, "generated", "no-such-prometheus.yml")

    def set_mount(d):
        d["services"]["prometheus"]["volumes"][0] = \
            "./generated/no-such-prometheus.yml:/etc/prometheus/prometheus.yml:ro"

    def no_image(d):
        del d["services"]["redis"]["image"]

    def bad_dep(d):
        d["services"]["grafana"]["depends_on"] = ["promethues"]

    def bad_port(d):
        d["services"]["prometheus"]["ports"] = ["9090:99999"]

    def dup_port(d):
        d["services"]["alertmanager"]["ports"] = ["9090:9093"]

    def unpinned(d):
        d["services"]["redis"]["image"] = "docker.io/library/redis"

    def undeclared_volume(d):
        del d["volumes"]["prometheus-data"]

    def unhealthy_dep(d):
        del d["services"]["redis"]["healthcheck"]

    def typo_key(d):
        d["services"]["redis"]["enviroment"] = {"A": "b"}

    def missing_dockerfile(d):
        d["services"]["shop"]["build"]["dockerfile"] = "deploy/docker/nope.Dockerfile"

    cases = [
        (set_mount, f"services.prometheus.volumes: mount source {missing} does not exist"),
        (no_image, "services.redis: needs 'image' or 'build'"),
        (bad_dep, "services.grafana.depends_on: 'promethues' is not a service"),
        (bad_port, "services.prometheus.ports: '9090:99999' is not [HOST:]CONTAINER[/tcp|udp]"),
        (dup_port, "services.alertmanager.ports: host port 9090 is also published by prometheus"),
        (unpinned, "services.redis.image: 'docker.io/library/redis' is not pinned to a version"),
        (undeclared_volume, "named volume 'prometheus-data' is not declared under volumes:"),
        (unhealthy_dep, "service_healthy but redis has no healthcheck"),
        (typo_key, "services.redis: unknown key 'enviroment'"),
        (missing_dockerfile, "deploy/docker/nope.Dockerfile does not exist"),
    ]
    failed = 0
    for mutate, want in cases:
        doc = copy.deepcopy(good)
        mutate(doc)
        got = compose_check.check_structure(doc, compose_dir)
        if not any(want in e for e in got):
            print(f"FAIL: {mutate.__name__}: expected a problem containing {want!r}, got {got}")
            failed += 1
    # End to end: the real file copied alone into an empty directory, where none of its bind
    # mount sources exist; the command fails naming each missing path.
    with tempfile.TemporaryDirectory() as tmp:
        copied = os.path.join(tmp, "docker-compose.yml")
        with open(copied, "w") as f:
            f.write(open(os.path.join(compose_dir, "docker-compose.yml")).read())
        r = subprocess.run([sys.executable, compose_check.__file__, copied, repo, "/bin/false",
                            "/bin/false", "/bin/false"], capture_output=True, text=True)
        want = f"mount source {os.path.join(tmp, 'generated', 'prometheus.yml')} does not exist"
        if r.returncode != 1 or want not in r.stdout:
            print(f"FAIL: compose_check.py on a lone copy: exit {r.returncode}, expected 1 and "
                  f"{want!r} in:\n{r.stdout}{r.stderr}")
            failed += 1
    if failed:
        return 1
    print(f"ok: {len(cases)} broken compose files each reported with the expected message")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
