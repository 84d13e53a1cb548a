#!/usr/bin/env bash
# End to end, no lost update (issue 10): after each disturbance — the apiserver restarted, the
# leader of two operator replicas killed, etcd compacted so that watches resume with 410 Gone —
# a change applied afterwards converges: Prometheus runs exactly the config a fresh
# `pulse-operator render` of the same objects gives (the file the sync wrote, byte for byte,
# and the hash the sync saw Prometheus load). Then the same objects applied again, touched and
# re-read by a restarted operator cost zero writes (resourceVersions of every generated object
# unchanged) and zero reloads.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ns=pulse-e2e
work="$STATEDIR/e2e-resilience"
rm -rf "$work"; mkdir -p "$work"
testenv="$PULSE_SOURCE_DIR/scripts/testenv/testenv.sh"
start_operator="$(envof pulse START_OPERATOR)"
# A second replica this test starts must not outlive it, whatever happens.
trap 'cleanup_pids; "$(envof pulse STOP_OPERATOR)" replica-2 >/dev/null 2>&1 || true' EXIT

monitor() { # NAME INTERVAL: an ApiMonitor with a static target (convergence needs no process)
  cat <<YAML
---
apiVersion: monitoring.pulse.dev/v1alpha1
kind: ApiMonitor
metadata: {name: $1, namespace: $ns}
spec:
  staticTargets: [{targets: ["$1.example:8080"]}]
  endpoints: [{interval: $2, scrapeTimeout: 1s}]
YAML
}
apply() { kc apply -f "$@" >/dev/null || fail "kubectl apply $* failed"; }
kc get namespace "$ns" >/dev/null 2>&1 || kc create namespace "$ns" >/dev/null

step "baseline"
{ monitor alpha 5s; monitor beta 10s; } >"$work/objects.yaml"
apply "$work/objects.yaml"
wait_until 60 "the loaded config is a fresh render of alpha, beta" converged "$work/render"

step "4a. restart the apiserver, then change something"
"$testenv" restart-apiserver "$STATEDIR" || fail "restart-apiserver failed"
monitor gamma 5s >>"$work/objects.yaml"
apply "$work/objects.yaml"
wait_until 90 "convergence after the apiserver restart (gamma added)" converged "$work/render"

step "4b. two replicas; kill the leader, then change something"
replica_url="$("$start_operator" replica-2 | sed -n 's/^METRICS_URL=//p')"
[[ -n "$replica_url" ]] || fail "could not start replica-2"
is_standby() { [[ "$(metric "$replica_url" pulse_operator_leader)" == 0 ]] || { echo "replica-2 leader=$(metric "$replica_url" pulse_operator_leader)"; return 1; }; }
wait_until 30 "replica-2 runs as a standby" is_standby
lease_holder() { kc -n pulse-system get lease pulse-operator -o jsonpath='{.spec.holderIdentity}'; }
old_holder="$(lease_holder)"
[[ "$old_holder" == operator-* ]] || fail "the lease is held by '$old_holder', not by replica operator"
leader_pid="$(cat "$(envof pulse OPERATOR_PID_FILE)")"
kill -KILL "$leader_pid" || fail "cannot kill the leader ($leader_pid)"
pass "killed the leader (pid $leader_pid)"
# beta's interval 10s → 20s (the only endpoint with interval 10s).
sed -i 's/^  endpoints: \[{interval: 10s,/  endpoints: [{interval: 20s,/' "$work/objects.yaml"
grep -q 'interval: 20s' "$work/objects.yaml" || fail "could not edit beta's interval"
apply "$work/objects.yaml"
# The lease expires (4 s) and another candidate takes it: replica-2, or the killed replica
# restarted by its supervisor under a new identity, whichever asks first.
new_leader() {
  local h; h="$(lease_holder)"
  [[ -n "$h" && "$h" != "$old_holder" ]] || { echo "lease holder '$h'"; return 1; }
  [[ "$(metric "$replica_url" pulse_operator_leader)" == 1 || "$(op_metric pulse_operator_leader)" == 1 ]] ||
    { echo "lease holder $h, but no replica reports leading"; return 1; }
}
wait_until 30 "another replica takes the lease from $old_holder" new_leader
pass "the lease is held by $(lease_holder)"
wait_until 60 "convergence after the failover (beta's interval 20s)" converged "$work/render"
# Back to the fixture's shape: stopping replica-2 with SIGTERM releases the lease (if it holds
# it) at once, and replica "operator" (restarted by its supervisor) leads.
"$(envof pulse STOP_OPERATOR)" replica-2 || fail "could not stop replica-2"
operator_leads() { [[ "$(op_metric pulse_operator_leader)" == 1 ]] || { echo "operator not leader"; return 1; }; }
wait_until 30 "replica operator leads again" operator_leads
wait_until 60 "convergence with the restarted operator" converged "$work/render"

step "4c. compact etcd, so resumed watches get 410 Gone, then change something"
etcd="$(envof kube ETCD_URL)"
# etcd's gRPC gateway: the current revision from any range request, then a physical compaction.
revision="$(curl -fsS -X POST "$etcd/v3/kv/range" -d '{"key":"AA=="}' | jq -r .header.revision)"
[[ "$revision" =~ ^[0-9]+$ ]] || fail "no etcd revision from $etcd: $revision"
curl -fsS -X POST "$etcd/v3/kv/compaction" -d "{\"revision\":\"$revision\",\"physical\":true}" >/dev/null ||
  fail "etcd compaction at $revision failed"
pass "etcd compacted at revision $revision"
# Watches the API ended with an ERROR event (410 Gone: the resourceVersion is no longer there),
# over the operator and the config sync. The operator itself usually loses its lease while the
# apiserver is down and starts afresh (a new list); the config sync has no lease and resumes.
gone_seen() {
  local url
  for url in "$(envof pulse OPERATOR_METRICS_URL)" "$(envof pulse CONFIG_SYNC_METRICS_URL)"; do
    curl -fsS --max-time 3 "$url" || true
  done | awk '$1 ~ /^pulse_kube_watch_events_total\{.*type="ERROR"/ { s += $2 } END { print s + 0 }'
}
gone_before="$(gone_seen)"
# The apiserver's watch cache would serve old versions; restarting it makes the informers resume
# from resourceVersions etcd no longer has.
"$testenv" restart-apiserver "$STATEDIR" || fail "restart-apiserver failed"
monitor delta 5s >>"$work/objects.yaml"
apply "$work/objects.yaml"
wait_until 90 "convergence after the compaction (delta added)" converged "$work/render"
gone_after="$(gone_seen)"
((gone_after > gone_before)) || fail "no watch ended with 410 Gone ($gone_before → $gone_after ERROR events)"
pass "$((gone_after - gone_before)) watches ended with 410 Gone and relisted"

step "5. the same objects again: zero writes, zero reloads"
generated_versions() {
  {
    kc -n pulse-system get secrets,configmaps -l app.kubernetes.io/managed-by=pulse-operator -o json |
      jq -r '.items[] | "\(.kind)/\(.metadata.name) \(.metadata.resourceVersion)"'
    kc -n "$ns" get apimonitors -o json | jq -r '.items[] | "status \(.metadata.name) \(.status | tojson)"'
  } | sort
}
wait_until 10 "operator idle" config_queue_empty
before="$(generated_versions)"
reloads_before="$(sync_reloads)"
writes_before="$(op_metric 'pulse_operator_config_writes_total{kind="Secret"}')/$(op_metric 'pulse_operator_config_writes_total{kind="ConfigMap"}')"
done_before="$(op_metric 'pulse_operator_reconcile_total{controller="apimonitor",result="done"}')"
apply "$work/objects.yaml"
# Re-applying identical objects changes nothing at the apiserver; a label does (new
# resourceVersion, same generation), so the operator really reconciles every object again.
kc -n "$ns" label apimonitors --all --overwrite e2e-touched="$(date +%s)" >/dev/null
n="$(kc -n "$ns" get apimonitors -o name | wc -l)"
reconciled() {
  local d; d="$(op_metric 'pulse_operator_reconcile_total{controller="apimonitor",result="done"}')"
  python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) + int(sys.argv[3]) else 1)' \
    "${d:-0}" "$done_before" "$n" || { echo "apimonitor reconciles done: $d (before $done_before, objects $n)"; return 1; }
}
wait_until 30 "the operator reconciled all $n touched objects" reconciled
wait_until 10 "operator idle" config_queue_empty
sleep 2 # a reload, if one were (wrongly) triggered, happens within the sync's 1 s coalescing window
expect_eq "generated objects' resourceVersions and CR status" "$before" "$(generated_versions)"
expect_eq "operator config writes (Secret/ConfigMap)" "$writes_before" \
  "$(op_metric 'pulse_operator_config_writes_total{kind="Secret"}')/$(op_metric 'pulse_operator_config_writes_total{kind="ConfigMap"}')"
expect_eq "config-sync reloads" "$reloads_before" "$(sync_reloads)"
converged "$work/render" || fail "no longer converged"

kc -n "$ns" delete apimonitors --all >/dev/null
