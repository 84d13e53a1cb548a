#!/usr/bin/env bash
# deploy/generated/ is what deploy/render.sh makes of deploy/crs/ with this pulse-operator: a
# fresh render into a temp dir must be byte-identical (a CR or renderer change without a
# re-render fails here, listing the files), and a second render over the first changes nothing
# (idempotent). The comparison is shown to fail: a copy of deploy/ with one CR changed must be
# reported as drifted, naming the changed file.
#   render_drift_test.sh PULSE_OPERATOR SOURCE_DIR
set -euo pipefail
operator="$1" src="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export PULSE_OPERATOR="$operator"

# compare GENERATED FRESH: 0 when identical; otherwise prints the differing files and returns 1.
compare() {
  if diff -r -q "$1" "$2" >"$tmp/diff" 2>&1; then return 0; fi
  sed 's/^/  /' "$tmp/diff" >&2
  return 1
}

"$src/deploy/render.sh" "$tmp/fresh" >/dev/null
if ! compare "$src/deploy/generated" "$tmp/fresh"; then
  echo "FAIL: deploy/generated/ differs from a fresh render of deploy/crs/ (above);" \
    "run deploy/render.sh and commit the result" >&2
  exit 1
fi
"$src/deploy/render.sh" "$tmp/fresh" >/dev/null
compare "$src/deploy/generated" "$tmp/fresh" || { echo "FAIL: a second render changed files" >&2; exit 1; }

# The check can fail: change one CR in a copy and the comparison must name the changed output.
mkdir "$tmp/copy"
cp -r "$src/deploy/crs" "$src/deploy/render.sh" "$tmp/copy/"
sed -i 's/availabilityObjective: 99.9$/availabilityObjective: 99.5/' "$tmp/copy/crs/shop.yaml"
grep -q 'availabilityObjective: 99.5' "$tmp/copy/crs/shop.yaml" ||
  { echo "FAIL: the mutation did not apply" >&2; exit 1; }
"$tmp/copy/render.sh" "$tmp/mutated" >/dev/null
if compare "$src/deploy/generated" "$tmp/mutated" 2>"$tmp/mutated.err"; then
  echo "FAIL: a changed CR (shop availabilityObjective) was not reported as drift" >&2
  exit 1
fi
# The shop's own SLO rule file carries its objectives.
if ! grep -q 'rules/apimonitor_default_shop.yaml' "$tmp/mutated.err"; then
  cat "$tmp/mutated.err" >&2
  echo "FAIL: the drift report does not name rules/apimonitor_default_shop.yaml" >&2
  exit 1
fi
echo "ok: deploy/generated/ matches a fresh render ($(find "$tmp/fresh" -type f | wc -l) files)," \
  "renders are idempotent, and a changed CR is caught"
