#!/usr/bin/env bash
# The demo e2e test's checks, run by `scripts/demo.sh --once --check tests/demo/demo_checks.sh`
# while the demo runs (env DEMO_STATE, PROMETHEUS_URL, ALERTMANAGER_URL, KUBECONFIG):
#   1. panels_check.py         every panel query of every dashboard has data
#   2. alert_check.sh fire     the shop's error alert fires and arrives in Alertmanager
#   3. demo_truth.sh           the seed metrics against the servers' and load generator's truth
#   4. alert_check.sh resolve  the alert resolves once the errors have left its 5m window
# The resolve step has to wait about 5 minutes after the errors began whatever we do; running
# the truth checks in between keeps the test's runtime close to that wait. The panel check runs
# first: the alert check takes the shop's availability SLO away (so that its 5xx-ratio alert
# applies), which empties the shop's availability SLO panels. Exits 1 when any step failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$(dirname "$here")")"
status=0

cms="$(mktemp /tmp/pulse-demo-dashboards.XXXXXX.json)"
trap 'rm -f "$cms"' EXIT
# Every ApiMonitor must be selectable as $api in the RED dashboard.
expect=()
for m in $(kubectl get apimonitors.monitoring.pulse.dev -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{" "}{end}'); do
  expect+=(--expect "api=$m")
done
if kubectl get configmaps -A -l grafana_dashboard -o json >"$cms"; then
  python3 "$here/panels_check.py" "$PROMETHEUS_URL" "$root"/dashboards/*.json --configmaps "$cms" "${expect[@]}" || status=1
else
  echo "panels FAIL: cannot list the ConfigMaps labelled grafana_dashboard"
  status=1
fi

"$here/alert_check.sh" fire || status=1

"$here/demo_truth.sh" || status=1

"$here/alert_check.sh" resolve || status=1
exit "$status"
