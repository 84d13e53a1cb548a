#!/usr/bin/env bash
# Prometheus scrapes itself; promtool accepts a good config and rejects a bad one.
source "$(dirname "$0")/lib.sh"
url="$(envof prometheus URL)"; promtool="$(envof prometheus PROMTOOL)"
up() { curl -fsS "$url/api/v1/query" --data-urlencode 'query=up{job="prometheus"}' | jq -r '.data.result[0].value[1] // empty'; }
retry 30 bash -c "[[ \"\$(curl -fsS '$url/api/v1/query' --data-urlencode 'query=up{job=\"prometheus\"}' | jq -r '.data.result[0].value[1] // empty')\" == 1 ]]" \
  || fail "Prometheus never recorded up{job=prometheus} == 1"
expect_eq 'up{job="prometheus"}' 1 "$(up)"
"$promtool" check config "$(envof prometheus CONFIG)" >/dev/null || fail "promtool rejected the running config"
pass "promtool check config accepts the running config"
bad="${TMPDIR:-/tmp}/bad-prom-$$.yml"
printf 'scrape_configs:\n  - job_name: x\n    scrape_interval: 10s\n    scrape_timeout: 20s\n    static_configs: [{targets: ["a:1"]}]\n' >"$bad"
if out="$("$promtool" check config "$bad" 2>&1)"; then rm -f "$bad"; fail "promtool accepted timeout > interval"; fi
rm -f "$bad"
expect_match "promtool names the problem" 'scrape timeout greater than scrape interval' "$out"
# pulse's generated config uses Kubernetes discovery; the launcher's Prometheus must have it
# (Debian's 2.42 is built without it; scripts/build-tools.sh builds Prometheus 3 for that).
if [[ "${PULSE_PROMETHEUS:-}" != debian ]]; then
  sd="${TMPDIR:-/tmp}/sd-prom-$$.yml"
  printf 'scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs: [{role: endpointslice}]\n' >"$sd"
  out="$("$promtool" check config "$sd" 2>&1)" || { rm -f "$sd"; fail "promtool lacks kubernetes_sd_configs: $out"; }
  rm -f "$sd"
  pass "promtool accepts kubernetes_sd_configs"
  expect_match "Prometheus version" '^3\.' "$(curl -fsS "$url/api/v1/status/buildinfo" | jq -r .data.version)"
fi
