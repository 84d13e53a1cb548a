"""`helm install` into the local control plane: the CRDs become Established and every object
of the release exists, labelled and annotated as the release's; `helm upgrade` with one changed
value changes only the object it concerns (resourceVersions); the operator's ServiceAccount
can do nothing through a wildcard; `helm uninstall` removes every object but the CRDs (Helm
never deletes CRDs, so custom resources survive)."""
import json
import os

import yaml

from chart_lib import CHART, HELM, check, finish, kube_env, kubectl, require_helm, run

require_helm()
env = kube_env()
ns = f"chart-install-{os.getpid()}"
# Not "pulse": other integration tests apply files/*-rbac.yaml (ClusterRole pulse-operator) to
# the same control plane.
release = "pulse-chart-it"
CRDS = ["apimonitors.monitoring.pulse.dev", "exporters.monitoring.pulse.dev"]


def helm(*args, check_rc=True):
    return run([HELM, *args, "--namespace", ns], check_rc=check_rc, env=env)


def release_objects():
    manifest = helm("get", "manifest", release).stdout
    return [d for d in yaml.safe_load_all(manifest) if d]


def ref(o):
    m = o["metadata"]
    return (o["kind"], m.get("namespace", ""), m["name"])


def live(o):
    kind, namespace, name = ref(o)
    args = ["get", f"{kind}.{o['apiVersion'].split('/')[0]}" if "/" in o["apiVersion"] else kind,
            name, "-o", "json"]
    if namespace:
        args += ["-n", namespace]
    p = kubectl(env, *args, check_rc=False)
    return json.loads(p.stdout) if p.returncode == 0 else None


try:
    p = helm("install", release, CHART, "--create-namespace", check_rc=False)
    check(p.returncode == 0, "helm install" + ("" if p.returncode == 0 else f": {p.stderr}"))
    for crd in CRDS:
        w = kubectl(env, "wait", "--for=condition=Established", "--timeout=60s", f"crd/{crd}",
                    check_rc=False)
        check(w.returncode == 0, f"CRD {crd} Established")
    objects = release_objects()
    check(len(objects) >= 20, f"{len(objects)} objects in the release")
    versions = {}
    for o in objects:
        obj = live(o)
        if obj is None:
            check(False, f"{ref(o)} created")
            continue
        meta = obj["metadata"]
        versions[ref(o)] = meta["resourceVersion"]
        owned = (meta.get("annotations", {}).get("meta.helm.sh/release-name") == release and
                 meta.get("annotations", {}).get("meta.helm.sh/release-namespace") == ns and
                 meta.get("labels", {}).get("app.kubernetes.io/managed-by") == "Helm" and
                 meta.get("labels", {}).get("app.kubernetes.io/instance") == release)
        check(owned, f"{ref(o)} created and owned by release {release}")

    # The operator's ServiceAccount: no wildcard anywhere in what it may do.
    sa = f"system:serviceaccount:{ns}:{release}-operator"
    for where in (ns, "default"):
        out = kubectl(env, "auth", "can-i", "--list", f"--as={sa}", "-n", where).stdout
        rows = [line.split() for line in out.splitlines()[1:] if line.strip()]
        # Columns: Resources, Non-Resource URLs, Resource Names, Verbs. The non-resource URL
        # wildcards (/api/*, ...) come from Kubernetes' system:discovery role for everyone.
        wild = [r for r in rows if r and not r[0].startswith("[/") and any("*" in t for t in r)]
        check(not wild, f"can-i --list as the operator in {where}: no '*' resource or verb "
              f"({len(rows)} rules){'' if not wild else ': ' + str(wild)}")
        check(any(r[0].startswith("apimonitors.monitoring.pulse.dev") for r in rows),
              f"can-i --list as the operator in {where}: may read apimonitors")
    # Users' Secrets are read (to validate and watch references), never written.
    for verb in ("create", "update", "patch", "delete"):
        can = kubectl(env, "auth", "can-i", verb, "secrets", f"--as={sa}", "-n", "default",
                      check_rc=False)
        check(can.stdout.strip() == "no", f"the operator cannot {verb} Secrets outside its namespace")

    # Upgrade with one changed value: only the Prometheus StatefulSet changes.
    p = helm("upgrade", release, CHART, "--set", "prometheus.retention=30d", check_rc=False)
    check(p.returncode == 0, "helm upgrade --set prometheus.retention=30d" +
          ("" if p.returncode == 0 else f": {p.stderr}"))
    changed = []
    for o in release_objects():
        obj = live(o)
        if obj and versions.get(ref(o)) != obj["metadata"]["resourceVersion"]:
            changed.append(ref(o))
    check(changed == [("StatefulSet", ns, f"{release}-prometheus")],
          f"the upgrade changed only the Prometheus StatefulSet: {changed}")
    sts = live({"kind": "StatefulSet", "apiVersion": "apps/v1",
                "metadata": {"name": f"{release}-prometheus", "namespace": ns}})
    args = sts["spec"]["template"]["spec"]["containers"][0]["args"]
    check("--storage.tsdb.retention.time=30d" in args, "... to --storage.tsdb.retention.time=30d")

    # Uninstall: everything goes but the CRDs.
    p = helm("uninstall", release, "--wait", "--timeout", "120s", check_rc=False)
    check(p.returncode == 0, "helm uninstall")
    left = [ref(o) for o in objects if live(o) is not None]
    check(not left, f"helm uninstall removed every object of the release (left: {left})")
    for crd in CRDS:
        check(kubectl(env, "get", f"crd/{crd}", check_rc=False).returncode == 0,
              f"CRD {crd} kept after uninstall (Helm does not delete CRDs)")
finally:
    helm("uninstall", release, check_rc=False)
    kubectl(env, "delete", "namespace", ns, "--wait=false", check_rc=False)
finish()
