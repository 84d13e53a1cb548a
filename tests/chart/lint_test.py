"""`helm lint --strict` passes with the default values and with every file in charts/pulse/ci/
(the value combinations the chart promises to support), and each renders with `helm template`."""
import glob
import os

from chart_lib import CHART, HELM, KUBE_VERSION, check, finish, require_helm, run

require_helm()
cases = [None] + sorted(glob.glob(os.path.join(CHART, "ci", "*.yaml")))
check(len(cases) >= 4, f"{len(cases) - 1} ci values files (namespace-scoped, operator-only, ...)")
for values in cases:
    name = os.path.basename(values) if values else "default values"
    extra = ["-f", values] if values else []
    lint = run([HELM, "lint", "--strict", CHART, "--kube-version", KUBE_VERSION, *extra],
               check_rc=False)
    check(lint.returncode == 0, f"helm lint --strict with {name}" +
          ("" if lint.returncode == 0 else f":\n{lint.stdout}{lint.stderr}"))
    rendered = run([HELM, "template", "pulse", CHART, "--kube-version", KUBE_VERSION, *extra],
                   check_rc=False)
    check(rendered.returncode == 0 and "kind: Deployment" in rendered.stdout,
          f"helm template with {name}" + ("" if rendered.returncode == 0 else f":\n{rendered.stderr}"))
finish()
