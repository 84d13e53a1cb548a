#!/usr/bin/env bash
# The Prometheus and Alertmanager web UIs work in a real browser (issue 11): headless Chromium
# opens Prometheus' query page for a seed metric and Alertmanager's alert list, and each page
# must show live data only the running server has. Fails on Prometheus' "Error opening React
# index.html" (a binary built without its UI assets) and on Debian's Alertmanager placeholder.
#   ui.sh ARTEFACTS   screenshots and DOM dumps go to ARTEFACTS (kept for inspection)
source "$(dirname "$0")/lib.sh"
out="${1:?usage: ui.sh ARTEFACTS}"
rm -rf "$out"; mkdir -p "$out"

# --- Prometheus: seed #12-14 (process_resident_memory_bytes) for Prometheus' own job.
prom="$(envof prometheus URL)"
expr='process_resident_memory_bytes{job="prometheus"}'
instance=""
series() { instance="$(curl -fsS "$prom/api/v1/query" --data-urlencode "query=$expr" | jq -r '.data.result[0].metric.instance // empty')"; [[ -n "$instance" ]]; }
retry 30 series || fail "Prometheus has no $expr to show (scrape never succeeded)"
# The result table is the only place the page names the scraped instance (its port is random),
# so finding it proves the UI ran the query against this server.
render "$prom/query?g0.expr=$(jq -rn --arg e "$expr" '$e|@uri')&g0.tab=table" prometheus-query "$out"
text="$(dom_text prometheus-query "$out")"
[[ "$text" != *"Error opening React index.html"* ]] || fail "Prometheus UI: 500, built without web assets ($out/prometheus-query.html)"
[[ "$text" == *"instance=\"$instance\""* ]] || fail "Prometheus UI shows no result series instance=\"$instance\" ($out/prometheus-query.html)"
pass "Prometheus query page shows $expr for instance=\"$instance\""

# --- Alertmanager: an alert posted now is listed by its UI.
am="$(envof alertmanager URL)"
name="PulseBrowser$$"
curl -fsS -H 'content-type: application/json' \
  -d "[{\"labels\":{\"alertname\":\"$name\",\"severity\":\"ticket\",\"service\":\"shop\"}}]" "$am/api/v2/alerts" \
  || fail "posting an alert to $am"
listed() { curl -fsS "$am/api/v2/alerts" | jq -e --arg n "$name" '.[] | select(.labels.alertname==$n)' >/dev/null; }
retry 10 listed || fail "Alertmanager API does not list the posted alert $name"
render "$am/#/alerts" alertmanager-alerts "$out"
text="$(dom_text alertmanager-alerts "$out")"
[[ "$text" != *"does not include a web"* ]] || fail "Alertmanager serves Debian's no-UI placeholder ($out/alertmanager-alerts.html)"
[[ "$text" == *"$name"* ]] || fail "Alertmanager UI does not show the posted alert $name ($out/alertmanager-alerts.html)"
pass "Alertmanager alert list shows $name"
