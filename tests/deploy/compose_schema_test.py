#!/usr/bin/env python3
"""deploy/docker-compose.yml against the Compose schema of the real `docker-compose` tool
(Debian's 1.29, which validates without a container engine): the file passes, and each broken
copy is refused with a message naming the field. compose_check.py covers what a schema cannot
(mount sources exist, generated configs pass promtool/amtool).
  compose_schema_test.py DOCKER_COMPOSE REPO_ROOT
"""
import copy
import os
import subprocess
import sys
import tempfile

import yaml


def validate(tool, compose_dir, text):
    """Runs `docker-compose config -q` on `text` as if it lived in compose_dir."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        r = subprocess.run([tool, "--project-directory", compose_dir, "-f", path, "config", "-q"],
                           capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout + r.stderr
    finally:
        os.unlink(path)


def main(tool, repo):
    compose_dir = os.path.join(repo, "deploy")
    text = open(os.path.join(compose_dir, "docker-compose.yml")).read()
    rc, out = validate(tool, compose_dir, text)
    if rc != 0:
        print(f"FAIL: deploy/docker-compose.yml is refused by {tool} config:\n{out}")
        return 1
    good = yaml.safe_load(text)

    def typo_key(d):
        d["services"]["redis"]["enviroment"] = {"A": "b"}

    def ports_not_a_list(d):
        d["services"]["prometheus"]["ports"] = 9090

    def healthcheck_retries_text(d):
        d["services"]["redis"]["healthcheck"]["retries"] = "many"

    def unknown_top_level(d):
        d["servics"] = {}

    cases = [
        (typo_key, "services.redis", "enviroment"),
        (ports_not_a_list, "services.prometheus.ports", "array"),
        (healthcheck_retries_text, "redis.healthcheck.retries", "not a valid integer"),
        (unknown_top_level, "servics", ""),
    ]
    failed = 0
    for mutate, field, detail in cases:
        doc = copy.deepcopy(good)
        mutate(doc)
        rc, out = validate(tool, compose_dir, yaml.safe_dump(doc, sort_keys=False))
        if rc == 0 or field not in out or detail not in out:
            print(f"FAIL: {mutate.__name__}: expected a refusal naming {field!r} ({detail!r}), "
                  f"got exit {rc}:\n{out}")
            failed += 1
    if failed:
        return 1
    print(f"ok: deploy/docker-compose.yml passes {tool} config; {len(cases)} broken copies refused "
          "with the field named")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
