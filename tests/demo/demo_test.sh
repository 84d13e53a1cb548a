#!/usr/bin/env bash
# demo_test.sh SOURCE_DIR BUILD_DIR: runs `scripts/demo.sh --no-setup --once` on BUILD_DIR's
# binaries with tests/demo/demo_checks.sh as its check, and asserts: exit 0, a table of exactly
# the 31 seed rows (1..31 in order) each with a value, every assertion of the truth script
# passed, the shop's error alert arrived in Alertmanager and resolved, every dashboard panel
# query had data, and nothing the demo started is still running afterwards.
set -uo pipefail
src="$1" build="$2"
out="$(mktemp /tmp/pulse-demo-test.XXXXXX)"
trap 'rm -f "$out"' EXIT
state="$(mktemp -d /tmp/pulse-demo-test-state.XXXXXX)"
PULSE_BUILD_DIR="$build" PULSE_DEMO_STATE="$state" \
  "$src/scripts/demo.sh" --no-setup --once --check "$src/tests/demo/demo_checks.sh" 2>&1 | tee "$out"
rc="${PIPESTATUS[0]}"
fail=0
err() { echo "demo_test: FAIL: $*"; fail=1; }

((rc == 0)) || err "scripts/demo.sh exited $rc"
# The table rows: a seed number, then the seed's words, the PromQL and the value. The last
# table printed is the one --once judged.
rows="$(awk '/^#  +what \(the seed/ { n = 0; delete r } /^[0-9]+  / { r[++n] = $0 } END { for (i = 1; i <= n; i++) print r[i] }' "$out")"
numbers="$(awk '{ print $1 }' <<<"$rows" | tr '\n' ' ')"
[[ "$numbers" == "$(seq -s ' ' 1 31) " ]] || err "table rows are not seeds 1..31: $numbers"
empty="$(grep -c '(no value yet)' <<<"$rows")"
((empty == 0)) || err "$empty row(s) without a value"
grep -q '^truth: [0-9]* passed, 0 failed$' "$out" || err "the truth checks did not all pass"
grep -q '^alerts ok: .* arrived in Alertmanager' "$out" || err "the shop's error alert did not arrive in Alertmanager"
grep -q '^alerts ok: .* resolved in Alertmanager' "$out" || err "the shop's error alert did not resolve"
! grep -q '^alerts FAIL' "$out" || err "an alert check failed"
grep -Eq '^panels: [1-9][0-9]* queries with data, [0-9]+ allowed empty, 0 failed$' "$out" ||
  err "not every dashboard panel query had data"
grep -q '^Prometheus: *http://127.0.0.1:' "$out" || err "no Prometheus URL printed"
grep -q '^Alertmanager: *http://127.0.0.1:' "$out" || err "no Alertmanager URL printed"
[[ ! -e "$state" ]] || err "the demo left its state dir $state"
left="$(grep -lsz "^PULSE_TESTENV_OWNER=$state" /proc/[0-9]*/environ 2>/dev/null | tr '\n' ' ')"
[[ -z "$left" ]] || err "processes of the demo still running: $left"
((fail == 0)) && echo "demo_test: ok (31 seed metrics with values, truth, alert and panel checks passed)"
exit "$fail"
