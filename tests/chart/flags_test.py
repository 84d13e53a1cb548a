"""The flags every chart template and every Dockerfile passes to pulse-operator and
pulse-exporter are accepted by the binaries' own parsers. pulse-operator's `--check-flags`
parses and validates exactly as a real start would, then exits 0 (64 on a bad flag) without
contacting anything; pulse-exporter's `--check` validates its command line and config.
Usage: flags_test.py PULSE_OPERATOR PULSE_EXPORTER"""
import atexit
import glob
import json
import os
import re
import shutil
import sys
import tempfile

import yaml

from chart_lib import CHART, SOURCE, check, containers, finish, require_helm, run, template

require_helm()
operator_bin, exporter_bin = sys.argv[1], sys.argv[2]


def operator_accepts(args, what):
    p = run([operator_bin, *args, "--check-flags"], check_rc=False)
    check(p.returncode == 0 and "flags OK" in p.stdout,
          f"{what}: pulse-operator accepts {' '.join(args)}" +
          ("" if p.returncode == 0 else f" (exit {p.returncode}: {p.stderr.strip()})"))
    # The check is not vacuous: the same command line with a bad flag is refused.
    bad = run([operator_bin, *args, "--check-flags", "--no-such-flag=1"], check_rc=False)
    check(bad.returncode == 64 and "--no-such-flag" in bad.stderr,
          f"{what}: ... and refuses it with an unknown flag added (exit {bad.returncode})")


def kubelet_args(c):
    """The container's args as the kubelet passes them: $(NAME) replaced by the value of env
    NAME. A value from the pod's metadata (the shard's pod index) stands in as "1"."""
    env = {}
    for e in c.get("env") or []:
        if "value" in e:
            env[e["name"]] = e["value"]
        elif "fieldRef" in (e.get("valueFrom") or {}):
            env[e["name"]] = "1"
    return [re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env.get(m.group(1), m.group(0)), a)
            for a in c["args"]]


def with_mounted_files(args, objs, tmp):
    """--remote-write-config names a file the chart mounts from its ConfigMap: the same bytes
    are written under `tmp` and the flag pointed there, so the parser reads what the pod would."""
    out = []
    for a in args:
        if a.startswith("--remote-write-config="):
            (cm,) = [o for o in objs if o["kind"] == "ConfigMap" and
                     o["metadata"]["name"].endswith("-remote-write")]
            name = os.path.basename(a.split("=", 1)[1])
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(cm["data"][name])
            a = "--remote-write-config=" + path
        out.append(a)
    return out


tmpdir = tempfile.mkdtemp(prefix="pulse-chart-flags-")
atexit.register(shutil.rmtree, tmpdir, True)
cases = [None] + sorted(glob.glob(os.path.join(CHART, "ci", "*.yaml")))
seen = 0
for case in cases:
    values = yaml.safe_load(open(case)) if case else None
    label = os.path.basename(case) if case else "defaults"
    objs = template(values)
    kinds = {(o["kind"], o["metadata"]["name"]) for o in objs}
    if ("Deployment", "pulse-operator") in kinds:
        (c,) = containers(objs, "Deployment", "pulse-operator")
        check(c["args"][0] == "run" and "--leader-elect=true" in c["args"],
              f"{label}: the operator Deployment runs `run --leader-elect=true`")
        operator_accepts(with_mounted_files(c["args"], objs, tmpdir), f"{label} operator Deployment")
        seen += 1
    if ("StatefulSet", "pulse-prometheus") in kinds:
        sync = [c for c in containers(objs, "StatefulSet", "pulse-prometheus")
                if c["name"] == "config-sync"]
        check(len(sync) == 1 and sync[0]["args"][0] == "config-sync",
              f"{label}: Prometheus has the config-sync sidecar")
        operator_accepts(kubelet_args(sync[0]), f"{label} config-sync sidecar")
        prom = [c for c in containers(objs, "StatefulSet", "pulse-prometheus")
                if c["name"] == "prometheus"][0]
        check("--web.enable-lifecycle" in prom["args"],
              f"{label}: Prometheus runs with --web.enable-lifecycle (config-sync reloads it)")
        seen += 1
check(seen >= 6, f"{seen} pulse-operator command lines from the chart checked")

# prometheus.shards: the operator renders N configs and each replica's config sync takes the
# shard of its pod index; one shard passes neither flag (today's single Prometheus).
sharded = template({"prometheus": {"shards": 3}, "grafana": {"prometheusUrl": "http://store:8428"}})
(op,) = containers(sharded, "Deployment", "pulse-operator")
sts = [o for o in sharded if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "pulse-prometheus"][0]
(sync,) = [c for c in containers(sharded, "StatefulSet", "pulse-prometheus") if c["name"] == "config-sync"]
check("--shards=3" in op["args"] and sts["spec"]["replicas"] == 3 and
      "--shard=1" in kubelet_args(sync),
      "prometheus.shards=3: operator --shards=3, 3 replicas, config sync --shard from the pod index")
check(any(e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") ==
          "metadata.labels['apps.kubernetes.io/pod-index']" for e in sync.get("env") or []),
      "the config sync's shard comes from the StatefulSet pod-index label")
plain = template()
(op1,) = containers(plain, "Deployment", "pulse-operator")
(sync1,) = [c for c in containers(plain, "StatefulSet", "pulse-prometheus") if c["name"] == "config-sync"]
check(not any(a.startswith("--shard") for a in op1["args"] + sync1["args"]),
      "one shard (default): neither --shards nor --shard is passed")

# A bad value is refused too (the operator's parser validates values, not only names).
bad = run([operator_bin, "run", "--workers=0", "--check-flags"], check_rc=False)
check(bad.returncode == 64 and "--workers" in bad.stderr, "run --workers=0 is refused (exit 64)")
# The rate-limit flags: out-of-range, malformed and NaN values are refused with the flag named;
# the bounds themselves are accepted.
for flag, value in [("--kube-api-qps", "-1"), ("--kube-api-qps", "nan"), ("--kube-api-qps", "10000.5"),
                    ("--kube-api-qps", "5x"), ("--kube-api-burst", "0"), ("--kube-api-burst", "100001"),
                    ("--workers", "65")]:
    bad = run([operator_bin, "run", f"{flag}={value}", "--check-flags"], check_rc=False)
    check(bad.returncode == 64 and f'{flag} wants a number' in bad.stderr and f'"{value}"' in bad.stderr,
          f"run {flag}={value} is refused naming the flag and value (exit {bad.returncode})")
ok = run([operator_bin, "run", "--kube-api-qps=0", "--kube-api-burst=100000", "--workers=64",
          "--check-flags"], check_rc=False)
check(ok.returncode == 0, f"run accepts qps 0, burst 100000, workers 64 (exit {ok.returncode})")


def dockerfile_command(path):
    """ENTRYPOINT + CMD (exec form) of the final stage."""
    entry, cmd = [], []
    for line in open(path):
        m = re.match(r"^(ENTRYPOINT|CMD|FROM)\s+(.*)$", line.strip())
        if not m:
            continue
        if m.group(1) == "FROM":
            entry, cmd = [], []
        elif m.group(1) == "ENTRYPOINT":
            entry = json.loads(m.group(2))
        else:
            cmd = json.loads(m.group(2))
    return entry, cmd


docker = os.path.join(SOURCE, "deploy", "docker")
entry, cmd = dockerfile_command(os.path.join(docker, "pulse-operator.Dockerfile"))
check(entry == ["/usr/local/bin/pulse-operator"], f"pulse-operator image entrypoint {entry}")
operator_accepts(cmd, "pulse-operator.Dockerfile CMD")

entry, cmd = dockerfile_command(os.path.join(docker, "pulse-exporter.Dockerfile"))
# The operator's exporter Deployments set only args, so the image's entrypoint must be the binary.
check(entry == ["/usr/local/bin/pulse-exporter"], f"pulse-exporter image entrypoint {entry}")
check("--config" in cmd and cmd[cmd.index("--config") + 1] == "/etc/pulse-exporter/config/config.yaml",
      "pulse-exporter image CMD reads the config where the operator mounts it")
with tempfile.TemporaryDirectory() as tmp:
    config = os.path.join(tmp, "config.yaml")
    with open(config, "w") as f:
        f.write("targets:\n  - name: s3\n    type: s3\n    s3:\n"
                "      endpoint: http://127.0.0.1:9000\n      region: us-east-1\n"
                "      access_key_id: {env: PULSE_CHART_TEST_KEY}\n"
                "      secret_access_key: {env: PULSE_CHART_TEST_KEY}\n"
                "      buckets:\n        - name: invoices\n")
    args = [config if a == "/etc/pulse-exporter/config/config.yaml" else a for a in cmd]
    env = dict(os.environ, PULSE_CHART_TEST_KEY="x")
    p = run([exporter_bin, *args, "--check"], check_rc=False, env=env)
    check(p.returncode == 0, f"pulse-exporter accepts the image's CMD {cmd} (--check; exit "
          f"{p.returncode} {p.stderr.strip()})")
    bad = run([exporter_bin, *args, "--no-such-flag", "--check"], check_rc=False, env=env)
    check(bad.returncode != 0, "pulse-exporter refuses the same with an unknown flag")
finish()
