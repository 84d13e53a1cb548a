"""Least privilege, proven: after `helm install`, the real pulse-operator runs with a token of
the chart's ServiceAccount (nothing else) and the exact command line of the chart's Deployment,
and does its job — a valid ApiMonitor is Accepted, an invalid one is rejected alone, the config
Secret appears in the release namespace, the config includes the chart's scrape_config_files —
with no request forbidden. Namespace-scoped mode, so the per-namespace Roles are what is tested.
Usage: least_privilege_test.py PULSE_OPERATOR"""
import base64
import gzip
import json
import os
import shutil
import sys
import tempfile

from chart_lib import (CHART, HELM, check, finish, kube_env, kubectl, require_helm, run,
                       start_operator_as_chart_sa, stop_operator, wait_for)

require_helm()
operator_bin = sys.argv[1]
env = kube_env()
pid = os.getpid()
ns = f"chart-lp-{pid}"
watched = f"chart-lp-shop-{pid}"
release = "pulse-lp"


def condition(kind, name, type_):
    p = kubectl(env, "-n", watched, "get", kind, name, "-o", "json", check_rc=False)
    if p.returncode != 0:
        return None
    for c in json.loads(p.stdout).get("status", {}).get("conditions", []):
        if c["type"] == type_:
            return c
    return None


proc = None
tmp = tempfile.mkdtemp(prefix="pulse-chart-lp-")
try:
    kubectl(env, "create", "namespace", watched)
    p = run([HELM, "install", release, CHART, "--namespace", ns, "--create-namespace",
             "--set", f"operator.watchNamespaces={{{watched}}}"], check_rc=False, env=env)
    check(p.returncode == 0, "helm install (namespace-scoped)" + ("" if p.returncode == 0 else p.stderr))
    proc, log = start_operator_as_chart_sa(env, operator_bin, release, ns, tmp)

    good = {"apiVersion": "monitoring.pulse.dev/v1alpha1", "kind": "ApiMonitor",
            "metadata": {"name": "shop", "namespace": watched},
            "spec": {"staticTargets": [{"targets": ["shop.example:8080"]}],
                     "endpoints": [{"interval": "15s", "scrapeTimeout": "10s"}]}}
    bad = json.loads(json.dumps(good))
    bad["metadata"]["name"] = "broken"
    bad["spec"]["endpoints"][0]["scrapeTimeout"] = "30s"  # exceeds the interval
    kubectl(env, "apply", "--server-side", "-f", "-", stdin=json.dumps(
        {"apiVersion": "v1", "kind": "List", "items": [good, bad]}))

    c = wait_for(lambda: (condition("apimonitor", "shop", "Accepted") or {})
                 .get("status") == "True")
    check(bool(c), "the valid ApiMonitor is Accepted by the operator running as the chart's SA")
    c = wait_for(lambda: (condition("apimonitor", "broken", "Accepted") or {})
                 .get("status") == "False")
    check(bool(c), "the invalid ApiMonitor is rejected alone (Accepted=False)")

    def config_text():
        p = kubectl(env, "-n", ns, "get", "secret", f"{release}-prometheus-config", "-o", "json",
                    check_rc=False)
        if p.returncode != 0:
            return None
        payload = json.loads(p.stdout).get("data", {}).get("prometheus.yaml.gz")
        if payload is None:
            return None
        text = gzip.decompress(base64.b64decode(payload)).decode()
        return text if "shop.example:8080" in text else None

    text = wait_for(config_text)
    check(text is not None, f"the config Secret {release}-prometheus-config holds the valid monitor")
    if text:
        check("/etc/prometheus/scrape/*.yaml" in text and "scrape_config_files" in text,
              "the delivered config loads the chart's scrape files (cAdvisor, components)")
        check("broken" not in text, "the rejected monitor is not in the config")
    stop_operator(proc, log)
    proc = None
finally:
    if proc is not None:
        proc.kill()
        proc.wait()
    run([HELM, "uninstall", release, "-n", ns], check_rc=False, env=env)
    kubectl(env, "delete", "namespace", ns, watched, "--wait=false", check_rc=False)
    if "PULSE_KEEP_LOGS" not in os.environ:
        shutil.rmtree(tmp, ignore_errors=True)
finish()
