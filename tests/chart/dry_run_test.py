"""Every object `helm template` renders, with the default values and with every file in
charts/pulse/ci/ (cluster-wide and namespace-scoped modes among them), is accepted by the real
kube-apiserver in a server-side dry run: schemas, defaults, admission and RBAC escalation
checks included, nothing stored."""
import glob
import os

import yaml

from chart_lib import (CHART, HELM, KUBE_VERSION, check, finish, kube_env, kubectl,
                       require_helm, run)

require_helm()
env = kube_env()
suffix = str(os.getpid())
created = []
try:
    cases = [None] + sorted(glob.glob(os.path.join(CHART, "ci", "*.yaml")))
    modes = set()
    for i, case in enumerate(cases):
        label = os.path.basename(case) if case else "defaults"
        values = yaml.safe_load(open(case)) if case else {}
        ns = f"chart-dry-{suffix}-{i}"
        watched = values.get("operator", {}).get("watchNamespaces", [])
        modes.add("namespace-scoped" if watched else "cluster-wide")
        # Namespaced objects need their namespace; watched namespaces get Roles.
        for n in [ns, *watched]:
            if n not in created:
                kubectl(env, "create", "namespace", n, check_rc=False)
                created.append(n)
        # Not "pulse": other tests may hold ClusterRole pulse-operator on the same control plane.
        cmd = [HELM, "template", "pulse-dry", CHART, "--namespace", ns, "--kube-version", KUBE_VERSION]
        if case:
            cmd += ["-f", case]
        manifest = run(cmd).stdout
        count = sum(1 for d in yaml.safe_load_all(manifest) if d)
        p = kubectl(env, "apply", "--server-side", "--dry-run=server", "--field-manager=pulse-chart-test",
                    "-f", "-", check_rc=False, stdin=manifest)
        accepted = p.stdout.count("(server dry run)")
        check(p.returncode == 0 and accepted == count,
              f"{label}: {accepted} of {count} objects accepted by the apiserver (dry run)" +
              ("" if p.returncode == 0 else f":\n{p.stderr}"))
    check(modes == {"cluster-wide", "namespace-scoped"}, f"both modes covered: {sorted(modes)}")
finally:
    for n in created:
        kubectl(env, "delete", "namespace", n, "--wait=false", check_rc=False)
finish()
