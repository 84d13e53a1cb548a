#!/usr/bin/env bash
# alert_check.sh fire|resolve: the shop's error alert, from a fault to Alertmanager and back.
# Run by demo_checks.sh while the demo runs (env DEMO_STATE, PROMETHEUS_URL, ALERTMANAGER_URL,
# KUBECONFIG, as scripts/demo.sh --check passes them).
#
# fire: Prometheus' config has the demo's Alertmanager as its target (the operator's
#   --alertmanager, rendered into the alerting section the config sync delivers) and Prometheus
#   is connected to it. The test then does what a user would to get short test windows: it
#   patches the shop ApiMonitor with kubectl — no availability SLO (so the 5xx-ratio alert
#   applies, not the 30-day burn-rate ones) and spec.alerts.errorRatio {threshold 0.05, for 0s}
#   — and waits until Prometheus has loaded the operator's rule for it. With the alert not yet
#   in Alertmanager, it injects errors: the shop's orders table is renamed in the shop's
#   PostgreSQL, so every order and order lookup fails with a 500 (about 15% of the shop's
#   traffic on top of its 2% --error-rate). It waits until PulseApiHighErrorRatio for
#   default/shop is active in Alertmanager's /api/v2/alerts, then stops the errors (renames the
#   table back) and writes the time into DEMO_STATE/alert-check.env.
# resolve: waits until the alert has left Alertmanager's active alerts and Prometheus' firing
#   ones: the 5m error ratio falls back under 0.05 once the errors have left its 5-minute window,
#   so this takes about 5 minutes after the errors began (the caller runs the other checks in
#   between).
# Prints "alerts ok: …" / "alerts FAIL: …" per assertion; exits 1 when one failed.
set -uo pipefail
: "${DEMO_STATE:?run by demo_checks.sh}" "${PROMETHEUS_URL:?}" "${ALERTMANAGER_URL:?}" "${KUBECONFIG:?}"
phase="${1:-}"
de() { sed -n "s/^$1=//p" "$DEMO_STATE/demo.env"; }
failed=0
ok() { echo "alerts ok:   $*"; }
bad() { failed=1; echo "alerts FAIL: $*"; }
alert=PulseApiHighErrorRatio monitor=default/shop threshold=0.05
record="$DEMO_STATE/alert-check.env"

# in_alertmanager: the alert is among Alertmanager's active (unresolved) alerts.
in_alertmanager() {
  curl -fsS --max-time 5 "$ALERTMANAGER_URL/api/v2/alerts?active=true" |
    jq -e --arg a "$alert" --arg m "$monitor" \
      'any(.[]; .labels.alertname == $a and .labels.pulse_apimonitor == $m and .status.state == "active")' >/dev/null
}
# prom_alert_state: "firing", "pending" or empty, as Prometheus has the alert now.
prom_alert_state() {
  curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/alerts" |
    jq -r --arg a "$alert" --arg m "$monitor" \
      '[.data.alerts[] | select(.labels.alertname == $a and .labels.pulse_apimonitor == $m) | .state] | first // empty'
}
ratio() {
  curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/query" \
    --data-urlencode "query=pulse_apimonitor:http_request_errors:ratio_rate5m{pulse_apimonitor=\"$monitor\"}" |
    jq -r '.data.result[0].value[1] // "none"'
}
shop_sql() {
  "$(de PG_BIN_DIR)/psql" -qtAX -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(de SHOP_DB_PORT)" -U postgres -d shop -c "$1"
}
# wait_until SECONDS WHAT CMD...: polls CMD every 3 s; 0 when it succeeded in time.
wait_until() {
  local secs="$1" deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@"; do
    ((SECONDS >= deadline)) && { echo "alerts: gave up waiting for $what after $secs s" >&2; return 1; }
    sleep 3
  done
}

fire() {
  # Prometheus sends to the demo's Alertmanager: it is in the loaded config and connected.
  local am_hostport="${ALERTMANAGER_URL#http://}"
  if curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/status/config" | jq -r .data.yaml |
       python3 -c 'import sys, yaml; c = yaml.safe_load(sys.stdin)
sys.exit(sys.argv[1] not in [t for am in (c.get("alerting") or {}).get("alertmanagers", [])
                             for sc in am.get("static_configs", []) for t in sc.get("targets", [])])' "$am_hostport"; then
    ok "Prometheus' config has the Alertmanager target $am_hostport"
  else
    bad "Prometheus' loaded config has no alerting target $am_hostport"
  fi
  if curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/alertmanagers" |
       jq -e --arg u "$ALERTMANAGER_URL/api/v2/alerts" 'any(.data.activeAlertmanagers[]; .url == $u)' >/dev/null; then
    ok "Prometheus reports $ALERTMANAGER_URL as an active Alertmanager"
  else
    bad "Prometheus does not report $ALERTMANAGER_URL among its active Alertmanagers"
  fi

  # Short test windows, applied as a user would.
  kubectl -n default patch apimonitors.monitoring.pulse.dev shop --type=merge -p \
    "{\"spec\":{\"red\":{\"slo\":{\"availabilityObjective\":null}},\"alerts\":{\"errorRatio\":{\"threshold\":$threshold,\"for\":\"0s\"}}}}" |
    sed 's/^/  /'
  # The operator writes the shop's own rule (its `for` differs from the shared one's); the
  # config sync delivers it and reloads Prometheus.
  shop_rule_loaded() {
    curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/rules?type=alert" |
      jq -e --arg a "$alert" --arg m "$monitor" --arg t "$threshold" \
        'any(.data.groups[].rules[]; .name == $a and (.query | contains("pulse_apimonitor=\"" + $m + "\"")) and (.query | contains("> " + $t)) and .duration == 0)' >/dev/null
  }
  if wait_until 120 "the shop's alert rule" shop_rule_loaded; then
    ok "Prometheus loaded the operator's $alert rule for $monitor (threshold $threshold, for 0s)"
  else
    bad "Prometheus did not load a $alert rule for $monitor with threshold $threshold and for 0s within 120 s"
    return
  fi
  # Not there before the errors: otherwise its arrival below would prove nothing.
  if in_alertmanager; then
    bad "$alert for $monitor is already in Alertmanager before any error was injected (5m error ratio $(ratio))"
    return
  fi
  ok "$alert for $monitor is not in Alertmanager before the errors (5m error ratio $(ratio))"

  trap 'shop_sql "ALTER TABLE IF EXISTS shop_orders_unavailable RENAME TO shop_orders" >/dev/null 2>&1' EXIT
  shop_sql "ALTER TABLE shop_orders RENAME TO shop_orders_unavailable" || { bad "could not break the shop's orders table"; return; }
  local t0=$SECONDS
  echo "alerts: errors injected (shop_orders renamed: orders fail with 500); waiting for the alert in Alertmanager (up to 300 s)"
  if wait_until 300 "the alert in Alertmanager" in_alertmanager; then
    ok "$alert for $monitor arrived in Alertmanager $((SECONDS - t0)) s after the errors began (5m error ratio $(ratio), Prometheus: $(prom_alert_state))"
  else
    bad "$alert for $monitor did not arrive in Alertmanager within 300 s of the errors (5m error ratio $(ratio), Prometheus: $(prom_alert_state))"
  fi
  if shop_sql "ALTER TABLE shop_orders_unavailable RENAME TO shop_orders"; then
    trap - EXIT
    echo "ERRORS_STOPPED_AT=$(date +%s)" >"$record"
    echo "alerts: errors stopped (shop_orders restored) after $((SECONDS - t0)) s"
  else
    bad "could not restore the shop's orders table"
  fi
}

resolve() {
  [[ -f "$record" ]] || { bad "no record of the errors being stopped (the fire phase failed)"; return; }
  local stopped; stopped="$(sed -n 's/^ERRORS_STOPPED_AT=//p' "$record")"
  resolved() { ! in_alertmanager && [[ "$(prom_alert_state)" != firing ]]; }
  # The 5m window has to drop the errors, plus a rule evaluation (30 s) on each side.
  if wait_until $((stopped + 420 - $(date +%s))) "the alert to resolve" resolved; then
    ok "$alert for $monitor resolved in Alertmanager and Prometheus $(($(date +%s) - stopped)) s after the errors stopped (5m error ratio $(ratio))"
  else
    bad "$alert for $monitor still active $(($(date +%s) - stopped)) s after the errors stopped (5m error ratio $(ratio), Prometheus: $(prom_alert_state))"
  fi
}

case "$phase" in
  fire) fire ;;
  resolve) resolve ;;
  *) echo "usage: alert_check.sh fire|resolve" >&2; exit 2 ;;
esac
exit "$failed"
