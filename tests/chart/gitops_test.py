"""GitOps, proven against the real kube-apiserver (fixture kube) and the real pulse-operator:
  - the CRDs and the example CRs, applied twice with server-side apply (what Argo CD and Flux
    do), change nothing the second time (resourceVersions equal) and `kubectl diff
    --server-side` is empty (exit 0) — also after the operator has written status, so a GitOps
    tool never sees drift in what Git owns;
  - `pulse-operator render -f examples/crs` is deterministic: two renders, byte-identical trees;
  - that render equals what the operator, run with a token of the chart's ServiceAccount and the
    chart's own command line, delivers in-cluster: prometheus.yml reassembled from the gzip parts
    of the config Secret(s), every rule file from the rule ConfigMaps, every dashboard from the
    dashboard ConfigMaps, every exporter config from its Exporter's ConfigMap.
The fixture's control plane is shared by parallel tests, so the examples are applied into a
namespace of this test (the files with `namespace: default` replaced, as crd_apply_test does),
and the operator watches only that namespace. The chart is installed without Prometheus and
Alertmanager: their flags (--scrape-config-file, --alertmanager) change the rendered config on
purpose, and render has no equivalent for the first (docs/gitops.md).
Usage: gitops_test.py PULSE_OPERATOR"""
import base64
import glob
import gzip
import hashlib
import json
import os
import shutil
import sys
import tempfile

from chart_lib import (CHART, HELM, SOURCE, check, finish, kube_env, kubectl, require_helm, run,
                       start_operator_as_chart_sa, stop_operator, wait_for)

require_helm()
operator_bin = sys.argv[1]
env = kube_env()
pid = os.getpid()
ns = f"chart-gitops-{pid}"  # the release: operator output namespace
apps = f"chart-gitops-apps-{pid}"  # where the example CRs go
release = "pulse-gitops"
manager = "gitops-test"  # the field manager a GitOps tool would use


def read_tree(root):
    """relative path -> bytes of every file under root."""
    out = {}
    for path in sorted(glob.glob(os.path.join(root, "**", "*"), recursive=True)):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = f.read()
    return out


def render(inputs, out):
    p = run([operator_bin, "render", "-f", inputs, "-o", out], check_rc=False)
    check(p.returncode == 0, f"pulse-operator render -f {inputs} exits 0" +
          ("" if p.returncode == 0 else f":\n{p.stderr}"))
    return read_tree(out)


def apply_server_side(path):
    return kubectl(env, "apply", "--server-side", f"--field-manager={manager}", "-R", "-f", path,
                   check_rc=False)


def versions(path):
    """kind/namespace/name -> resourceVersion of every object in the files under path."""
    p = kubectl(env, "get", "-R", "-f", path, "-o", "json")
    items = json.loads(p.stdout).get("items", [])
    return {f"{o['kind']}/{o['metadata'].get('namespace', '')}/{o['metadata']['name']}":
            o["metadata"]["resourceVersion"] for o in items}


def diff_is_empty(path, label):
    p = kubectl(env, "diff", "--server-side", f"--field-manager={manager}", "-R", "-f", path,
                check_rc=False)
    check(p.returncode == 0 and not p.stdout.strip(),
          f"kubectl diff --server-side -R -f {label}: empty, exit 0" +
          ("" if p.returncode == 0 else f" (exit {p.returncode}):\n{p.stdout[:3000]}{p.stderr}"))


def managed(component):
    """The data of the operator's delivered objects of one component in the release namespace."""
    kind = "secrets" if component == "prometheus-config" else "configmaps"
    p = kubectl(env, "-n", ns, "get", kind, "-l",
                f"app.kubernetes.io/managed-by=pulse-operator,app.kubernetes.io/component={component}",
                "-o", "json", check_rc=False)
    return json.loads(p.stdout)["items"] if p.returncode == 0 else []


def assembled_config():
    """prometheus.yml as the config sync reads it: the gzip parts of the head Secret and its
    numbered parts concatenated in part order, all of one config hash, decompressed, checked
    against that hash (docs/config-delivery.md). None while incomplete or mid-update."""
    parts, hashes = {}, set()
    for s in managed("prometheus-config"):
        a = s["metadata"].get("annotations", {})
        index, _, count = a.get("monitoring.pulse.dev/config-part", "").partition("/")
        if not index.isdigit() or not count.isdigit():
            return None
        parts[int(index)] = (int(count), base64.b64decode(s["data"]["prometheus.yaml.gz"]))
        hashes.add(a.get("monitoring.pulse.dev/config-hash"))
    if not parts or len(hashes) != 1 or {c for c, _ in parts.values()} != {len(parts)}:
        return None
    text = gzip.decompress(b"".join(parts[i][1] for i in range(len(parts))))
    return text if hashlib.sha256(text).hexdigest() == hashes.pop() else None


def delivered_files():
    """What the operator delivered, in render's layout: relative path -> bytes."""
    config = assembled_config()
    if config is None:
        return None
    files = {"prometheus.yml": config}
    for component, folder in (("rules", "rules"), ("dashboard", "dashboards")):
        for cm in managed(component):
            for key, value in cm.get("data", {}).items():
                files[f"{folder}/{key}"] = value.encode()
    # Each Exporter's config, in the ConfigMap its status names, in the Exporter's namespace.
    exporters = json.loads(kubectl(env, "-n", apps, "get", "exporters", "-o", "json").stdout)
    for x in exporters["items"]:
        name = x.get("status", {}).get("generated", {}).get("configMap")
        p = kubectl(env, "-n", apps, "get", "configmap", name or "-", "-o", "json", check_rc=False)
        if not name or p.returncode != 0:
            return None
        config = json.loads(p.stdout).get("data", {}).get("config.yaml", "")
        files[f"exporters/{apps}/{x['metadata']['name']}.yaml"] = config.encode()
    return files


proc = None
tmp = tempfile.mkdtemp(prefix="pulse-chart-gitops-")
try:
    examples = os.path.join(SOURCE, "examples", "crs")
    # 1. Determinism of the offline render.
    first = render(examples, os.path.join(tmp, "render-1"))
    second = render(examples, os.path.join(tmp, "render-2"))
    check(bool(first) and first == second,
          f"two renders of examples/crs are byte-identical ({len(first)} files)" +
          ("" if first == second else f"; differ: {sorted(set(first.items()) ^ set(second.items()))[:5]}"))

    # 2. The examples, moved into this test's namespace (only the namespace differs).
    moved = os.path.join(tmp, "crs")
    os.makedirs(moved)
    for path in sorted(glob.glob(os.path.join(examples, "*.yaml"))):
        with open(path) as f:
            text = f.read().replace("namespace: default", f"namespace: {apps}")
        with open(os.path.join(moved, os.path.basename(path)), "w") as f:
            f.write(text)
    kubectl(env, "create", "namespace", apps)
    crds = os.path.join(SOURCE, "crds")
    # Other tests apply the same CRDs with other managers; same values, so no conflict to force.
    p = apply_server_side(crds)
    check(p.returncode == 0, "server-side apply of crds/" + ("" if p.returncode == 0 else p.stderr))
    kubectl(env, "wait", "--for=condition=Established", "--timeout=60s",
            "crd/apimonitors.monitoring.pulse.dev", "crd/exporters.monitoring.pulse.dev")
    p = apply_server_side(moved)
    check(p.returncode == 0, "first server-side apply of examples/crs" +
          ("" if p.returncode == 0 else p.stderr))
    before = versions(moved)
    p = apply_server_side(moved)
    check(p.returncode == 0, "second server-side apply of examples/crs" +
          ("" if p.returncode == 0 else p.stderr))
    after = versions(moved)
    check(len(before) >= 8 and before == after,
          f"the second apply writes nothing: {len(after)} objects, resourceVersions unchanged" +
          ("" if before == after else f" ({before} -> {after})"))
    diff_is_empty(moved, "examples/crs")
    diff_is_empty(crds, "crds")

    # 3. The operator as the chart runs it, watching only the examples' namespace.
    p = run([HELM, "install", release, CHART, "--namespace", ns, "--create-namespace",
             "--set", f"operator.watchNamespaces={{{apps}}}", "--set", "prometheus.enabled=false",
             "--set", "alertmanager.enabled=false", "--set", "grafana.enabled=false"],
            check_rc=False, env=env)
    check(p.returncode == 0, "helm install (operator only, namespace-scoped)" +
          ("" if p.returncode == 0 else p.stderr))
    proc, log = start_operator_as_chart_sa(env, operator_bin, release, ns, tmp)

    expected = render(moved, os.path.join(tmp, "render-moved"))
    delivered = wait_for(lambda: (lambda d: d if d == expected else None)(delivered_files()),
                         seconds=90)
    if delivered is None:
        got = delivered_files() or {}
        differing = sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))
        check(False, f"in-cluster output == render of the same CRs; differing files: {differing}")
    else:
        check(True, f"in-cluster output == render of the same CRs, byte for byte: prometheus.yml "
              f"from the config Secret, {sum(k.startswith('rules/') for k in expected)} rule "
              f"file(s), {sum(k.startswith('dashboards/') for k in expected)} dashboard(s), "
              f"{sum(k.startswith('exporters/') for k in expected)} exporter config(s)")

    # Every object accepted, and the status the operator wrote is no drift for a GitOps tool.
    objs = json.loads(kubectl(env, "-n", apps, "get", "apimonitors,exporters", "-o",
                              "json").stdout)["items"]
    accepted = [o["metadata"]["name"] for o in objs
                if any(c["type"] == "Accepted" and c["status"] == "True"
                       for c in o.get("status", {}).get("conditions", []))]
    check(len(objs) >= 7 and len(accepted) == len(objs),
          f"{len(accepted)} of {len(objs)} example objects Accepted in-cluster")
    diff_is_empty(moved, "examples/crs (after the operator wrote status)")

    stop_operator(proc, log)
    proc = None
finally:
    if proc is not None:
        proc.kill()
        proc.wait()
    run([HELM, "uninstall", release, "-n", ns], check_rc=False, env=env)
    kubectl(env, "delete", "namespace", ns, apps, "--wait=false", check_rc=False)
    if "PULSE_KEEP_LOGS" in os.environ:
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
finish()
