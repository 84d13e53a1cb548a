#!/usr/bin/env bash
# End to end, ApiMonitors (issue 10): the real operator and config sync (testenv server
# "pulse"), the real apiserver and a real Prometheus whose Kubernetes discovery finds a local
# pulse-demo-crm through a Service + EndpointSlice (register-target.sh). Asserts only on what Prometheus and the
# apiserver report:
#   1. an ApiMonitor's target becomes up == 1; a changed interval reaches the loaded config;
#   2. an invalid ApiMonitor among valid ones gets Accepted=False with the field path and an
#      Event, the valid targets stay up, and the loaded config (hash, reload count) is untouched;
#   1. deleting the ApiMonitors makes their targets disappear.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ns=pulse-e2e
work="$STATEDIR/e2e-apimonitor"
rm -rf "$work"; mkdir -p "$work"

monitor() { # NAME INTERVAL TIMEOUT: an ApiMonitor selecting the crm Service's metrics port
  cat <<YAML
apiVersion: monitoring.pulse.dev/v1alpha1
kind: ApiMonitor
metadata: {name: $1, namespace: $ns}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: crm}}
  endpoints:
    - {port: metrics, path: /metrics, interval: $2, scrapeTimeout: $3}
YAML
}

step "a local pulse-demo-crm, discoverable as Service $ns/crm"
crm="$PULSE_BINARY_DIR/examples/pulse-demo-crm"
[[ -x "$crm" ]] || fail "$crm not built"
# Where the slice can point (the apiserver refuses loopback endpoints).
address="$(envof pulse TARGET_ADDRESS)"
start_bg "$work/crm.log" "$crm" --listen "$address:0" --port-file "$work/crm.port"
wait_until 20 "crm writes its port" test -s "$work/crm.port"
port="$(cat "$work/crm.port")"
curl -fsS "http://$address:$port/metrics" >/dev/null || fail "crm serves no /metrics on $address:$port"
"$PULSE_SOURCE_DIR/scripts/testenv/register-target.sh" "$STATEDIR" "$ns" crm "$port" metrics \
  app.kubernetes.io/name=crm || fail "register-target.sh failed"

step "1. apply ApiMonitor crm → its target is up"
monitor crm 2s 1s | kc apply -f - >/dev/null
wait_until 60 "ApiMonitor crm Accepted=True" condition_is apimonitor "$ns" crm Accepted True
wait_until 90 "Prometheus scrapes crm: up{pulse_apimonitor=\"$ns/crm\"} == 1" up_is "pulse_apimonitor=\"$ns/crm\"" 1
job="apimonitor/$ns/crm/0"
expect_eq "loaded scrape_interval of $job" 2s "$(loaded_job_field "$job" scrape_interval)"

step "1. change the interval → Prometheus loads it"
monitor crm 3s 1s | kc apply -f - >/dev/null
interval_is() { local v; v="$(loaded_job_field "$job" scrape_interval)"; [[ "$v" == "$1" ]] || { echo "scrape_interval=$v"; return 1; }; }
wait_until 60 "the loaded config has scrape_interval 3s for $job" interval_is 3s
wait_until 30 "crm still up after the change" up_is "pulse_apimonitor=\"$ns/crm\"" 1

step "2. an invalid ApiMonitor among valid ones is rejected alone"
monitor crm-b 2s 1s | kc apply -f - >/dev/null
wait_until 90 "Prometheus scrapes crm-b" up_is "pulse_apimonitor=\"$ns/crm-b\"" 1
# Settled: the operator's current config is the one Prometheus loaded.
same_hash() {
  local a b
  a="$(op_metric_hash)"; b="$(loaded_hash)"
  [[ -n "$a" && "$a" == "$b" ]] || { echo "operator $a, loaded $b"; return 1; }
}
op_metric_hash() {
  curl -fsS --max-time 3 "$(envof pulse OPERATOR_METRICS_URL)" |
    sed -n 's/^pulse_operator_config_hash_info{hash="\([0-9a-f]*\)"} 1$/\1/p'
}
wait_until 30 "the operator's config hash is the loaded one" same_hash
hash_before="$(loaded_hash)"
reloads_before="$(sync_reloads)"
rejected_before="$(op_metric 'pulse_operator_objects{kind="ApiMonitor",state="rejected"}')"
monitor bad 1s 5s | kc apply -f - >/dev/null
wait_until 60 "ApiMonitor bad Accepted=False" condition_is apimonitor "$ns" bad Accepted False
message="$(kc -n "$ns" get apimonitor bad -o json | jq -r '.status.conditions[] | select(.type=="Accepted") | .message')"
[[ "$message" == *"spec.endpoints[0].scrapeTimeout"* ]] || fail "Accepted=False message lacks the field path: $message"
pass "condition message names spec.endpoints[0].scrapeTimeout: $message"
invalid_event() {
  local n
  n="$(kc -n "$ns" get events -o json |
    jq '[.items[] | select(.involvedObject.name == "bad" and .reason == "InvalidSpec")] | length')"
  ((n >= 1)) || { echo "$n InvalidSpec events about bad"; return 1; }
}
wait_until 30 "an InvalidSpec Event about bad" invalid_event
rejected_counted() {
  local v; v="$(op_metric 'pulse_operator_objects{kind="ApiMonitor",state="rejected"}')"
  [[ "$v" == "$((${rejected_before%.*} + 1))" ]] || { echo "rejected gauge $v"; return 1; }
}
wait_until 30 "the operator counts one more rejected ApiMonitor" rejected_counted
# The operator has judged "bad"; its config and what Prometheus runs did not move.
wait_until 10 "operator work queue of the config drained" config_queue_empty
expect_eq "operator config hash after the bad object" "$hash_before" "$(op_metric_hash)"
expect_eq "loaded config hash after the bad object" "$hash_before" "$(loaded_hash)"
expect_eq "config-sync reloads after the bad object" "$reloads_before" "$(sync_reloads)"
if [[ "$(loaded_config)" == *"apimonitor/$ns/bad/"* ]]; then fail "the invalid monitor's job reached Prometheus"; fi
up_is "pulse_apimonitor=\"$ns/crm\"" 1 || fail "crm not up after the bad object"
up_is "pulse_apimonitor=\"$ns/crm-b\"" 1 || fail "crm-b not up after the bad object"
pass "valid targets crm and crm-b stay up"

step "1. delete the ApiMonitors → their targets disappear"
kc -n "$ns" delete apimonitor crm crm-b bad >/dev/null
no_targets() {
  local n; n="$(active_targets "(.pulse_apimonitor // \"\") | startswith(\"$ns/\")")"
  [[ "$n" == 0 ]] || { echo "$n active targets of $ns monitors"; return 1; }
}
wait_until 60 "no active target of the deleted monitors" no_targets
if [[ "$(loaded_config)" == *"apimonitor/$ns/"* ]]; then fail "deleted monitors' jobs still loaded"; fi
pass "their jobs are gone from the loaded config"
"$PULSE_SOURCE_DIR/scripts/testenv/register-target.sh" --delete "$STATEDIR" "$ns" crm
