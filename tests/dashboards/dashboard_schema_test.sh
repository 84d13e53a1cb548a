#!/usr/bin/env bash
# Every dashboard pulse ships or generates passes Grafana's own dashboard schema
# (pulse-dashboard-check), and a misspelt field is reported by its path.
#   dashboard_schema_test.sh CHECKER PULSE_OPERATOR SOURCE_DIR WORK_DIR
set -euo pipefail
checker="$1" operator="$2" src="$3" work="$4"
if [[ ! -x "$checker" ]]; then
  echo "SKIP: $checker not built (run scripts/build-tools.sh)"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }

# check WHAT DIR EXPECTED_COUNT: the checker passes DIR and saw exactly EXPECTED_COUNT files,
# so a renderer that stopped writing a dashboard cannot pass by checking fewer.
check() {
  local what="$1" dir="$2" want="$3" out
  out="$("$checker" "$dir")" || fail "$what: dashboards fail Grafana's schema (above)"
  [[ "$out" == "ok: $want dashboard(s) pass Grafana's schema" ]] ||
    fail "$what: expected $want dashboards checked, checker said: $out"
  echo "ok: $what: $want dashboard(s)"
}

# 1. The shipped dashboards.
check "dashboards/*.json" "$src/dashboards" "$(find "$src/dashboards" -name '*.json' | wc -l)"

# 2. What `pulse-operator render` writes for the example CRs: overview, RED and one per Exporter.
"$operator" render -f "$src/examples/crs" -o "$work/examples" >/dev/null
exporters="$(cat "$src"/examples/crs/*.yaml | grep -c '^kind: Exporter')"
for f in overview.json red.json; do
  [[ -f "$work/examples/dashboards/$f" ]] || fail "render of examples/crs wrote no dashboards/$f"
done
n_exporter="$(find "$work/examples/dashboards" -name 'exporter_*.json' | wc -l)"
[[ "$n_exporter" -eq "$exporters" && "$exporters" -gt 0 ]] ||
  fail "render of examples/crs wrote $n_exporter Exporter dashboards for $exporters Exporters"
check "render of examples/crs" "$work/examples/dashboards" \
  "$(find "$work/examples/dashboards" -name '*.json' | wc -l)"

# 3. Per-monitor dashboards (spec.dashboard.perMonitor): the render tests' inputs request them.
per_monitor=0
for case in selectors alerts; do
  "$operator" render -f "$src/tests/render/testdata/$case" -o "$work/$case" >/dev/null
  per_monitor=$((per_monitor + $(find "$work/$case/dashboards" -name 'apimonitor_*.json' | wc -l)))
  check "render of tests/render/testdata/$case" "$work/$case/dashboards" \
    "$(find "$work/$case/dashboards" -name '*.json' | wc -l)"
done
[[ "$per_monitor" -ge 2 ]] || fail "expected per-monitor dashboards from selectors and alerts, got $per_monitor"

# 4. Negative: misspell the first panel's gridPos (a row) and the first unit (fieldConfig, which
# the SDK itself decodes leniently); both must fail, named by their path.
mkdir -p "$work/bad"
bad="$work/bad/red.json"
sed -e '0,/"gridPos":/s//"gridPoz":/' -e '0,/"unit":/s//"unti":/' \
  "$work/examples/dashboards/red.json" >"$bad"
cmp -s "$bad" "$work/examples/dashboards/red.json" && fail "the negative case changed nothing"
set +e
"$checker" "$bad" 2>"$work/bad.err"
rc=$?
set -e
[[ "$rc" -eq 1 ]] || { cat "$work/bad.err" >&2; fail "misspelt fields: exit $rc, expected 1"; }
for want in \
  "$bad: panels[0].gridPoz: unknown field (not in Grafana's dashboard schema)" \
  "$bad: panels[1].fieldConfig.defaults.unti: unknown field (not in Grafana's dashboard schema)"; do
  grep -qxF "$want" "$work/bad.err" || { cat "$work/bad.err" >&2; fail "report lacks: $want"; }
done
echo "ok: misspelt fields are reported by path"
