#!/usr/bin/env bash
# Operator benchmarks on the real stack (issue 10, "Benchmarks"): starts kube, prometheus,
# alertmanager and pulse (scripts/testenv) in a temporary STATEDIR, measures, prints a table and
# stops everything it started.
#   - apply → loaded: one ApiMonitor changed (a PATCH to the apiserver) until the config sync
#     reports that Prometheus loaded a new config, p50/p99 over RUNS changes, with 100 and with
#     2,000 monitors present;
#   - burst: 100 changes within one second → how many reloads Prometheus did;
#   - operator start → complete config loaded with 1,000 and 10,000 monitors, the operator's
#     peak RSS (VmHWM) and the bytes in etcd (etcd_mvcc_db_total_size_in_bytes) and in the
#     delivered objects.
#   scripts/bench/operator-latency.sh [--build DIR] [--runs N] [--quick] [--starts N,N]
#                                     [--start-only] [--operator-args "FLAGS"] [--out DIR] [--gap S]
#                                     [--variants "FLAGS;FLAGS;..."] [--applies N,N]
#                                     [--shape static|selector]
# --quick: 100/200 monitors and 1,000 for the start (a check that the script works).
# --starts: monitor counts of the start case (default 1000,10000); --start-only skips the
# apply and burst cases; --operator-args: extra `pulse-operator run` flags (e.g. "--kube-api-qps
# 0"), passed as PULSE_OPERATOR_EXTRA_ARGS; --out: keep each start's operator log and metrics;
# --gap: seconds of quiet before each timed apply (default 1.5; 0 = back to back);
# --variants: the start case once per flag set (empty = defaults), each from new objects;
# --applies: monitor counts of the apply → loaded case (default 100,2000).
# --shape: what the monitors select. static (default): one staticTargets address each, so every
# scrape job has a service discovery config of its own. selector: a label selector over the
# Services of their namespace (20 namespaces), as monitors in a cluster are written; the jobs
# of a namespace share one discovery config, which Prometheus runs once.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${PULSE_BUILD_DIR:-$repo/build}" runs=30 quick=0 start_only=0 starts_arg="" out="" gap=1.5 variants=("")
shape=static
applies_arg=""
while (($#)); do
  case "$1" in
    --build) build="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --quick) quick=1 ;;
    --starts) starts_arg="$2"; shift ;;
    --start-only) start_only=1 ;;
    --applies) applies_arg="$2"; shift ;;
    --gap) gap="$2"; shift ;;
    --variants) IFS=';' read -r -a variants <<<"$2"; shift ;;
    --operator-args) export PULSE_OPERATOR_EXTRA_ARGS="$2"; shift ;;
    --out) out="$2"; shift ;;
    --shape) shape="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
  shift
done
[[ "$runs" =~ ^[0-9]+$ ]] && ((runs >= 2)) || { echo "--runs wants a number >= 2" >&2; exit 64; }
[[ -z "$starts_arg" || "$starts_arg" =~ ^[0-9]+(,[0-9]+)*$ ]] ||
  { echo "--starts wants a comma list of numbers, got '$starts_arg'" >&2; exit 64; }
[[ -z "$applies_arg" || "$applies_arg" =~ ^[0-9]+(,[0-9]+)*$ ]] ||
  { echo "--applies wants a comma list of numbers, got '$applies_arg'" >&2; exit 64; }
[[ "$shape" == static || "$shape" == selector ]] || { echo "--shape wants static or selector, got '$shape'" >&2; exit 64; }
[[ -z "$out" ]] || mkdir -p "$out"
[[ "$gap" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "--gap wants seconds, got '$gap'" >&2; exit 64; }
export PULSE_BUILD_DIR="$build"
testenv="$repo/scripts/testenv/testenv.sh"
state="$(mktemp -d /tmp/pulse-bench.XXXXXX)"
chmod o+x "$state"
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
stop_all() {
  local s
  # Prometheus' and the config sync's logs say where each reload's time went.
  if [[ -n "$out" ]]; then
    cp "$state"/prometheus/*.log "$out/" 2>/dev/null || true
    cp "$state"/pulse/*sync*.log "$out/" 2>/dev/null || true
  fi
  for s in pulse alertmanager prometheus kube; do "$testenv" stop "$s" "$state" >/dev/null 2>&1 || true; done
  rm -rf "$state"
}
trap stop_all EXIT
for s in kube prometheus alertmanager pulse; do
  log "starting $s"
  "$testenv" start "$s" "$state" 2>>"$state/testenv.log" || { tail -n 30 "$state/testenv.log" >&2; exit 1; }
done
envof() { sed -n "s/^$2=//p" "$state/$1/env"; }
server="$(envof kube SERVER)"
curl_admin=(curl -fsS --cacert "$(envof kube CA_FILE)" --cert "$(envof kube CLIENT_CERT)" --key "$(envof kube CLIENT_KEY)")
kc() { kubectl --kubeconfig "$(envof kube KUBECONFIG)" --request-timeout=120s "$@"; }
sync_url="$(envof pulse CONFIG_SYNC_METRICS_URL)" op_url="$(envof pulse OPERATOR_METRICS_URL)"
ns=bench
kc create namespace "$ns" >/dev/null
# The selector shape spreads its monitors over 20 namespaces (bench-0..19); m-I lives in
# bench-$((I % 20)). The static shape keeps them all in $ns.
if [[ "$shape" == selector ]]; then
  for ((i = 0; i < 20; i++)); do kc create namespace "$ns-$i" >/dev/null; done
fi
ns_of() { if [[ "$shape" == selector ]]; then echo "$ns-$(($1 % 20))"; else echo "$ns"; fi; }
# endpoint SECONDS: one endpoint as a merge patch writes it (the whole list is replaced, so the
# selector shape's port goes with it).
endpoint() { if [[ "$shape" == selector ]]; then echo "{\"port\":\"http\",\"interval\":\"$1s\"}"; else echo "{\"interval\":\"$1s\"}"; fi; }
bench_namespaces() { if [[ "$shape" == selector ]]; then seq -f "$ns-%.0f" 0 19; else echo "$ns"; fi; }
# count_monitors: the benchmark's ApiMonitors in all its namespaces.
count_monitors() {
  kc get apimonitors -A --no-headers | awk -v p="$ns" '$1 == p || index($1, p "-") == 1' | wc -l
}
# delete_monitors FROM TO: m-FROM..m-TO, one request per namespace.
delete_monitors() {
  local n names i
  for n in $(bench_namespaces); do
    names=()
    for ((i = $1; i <= $2; i++)); do [[ "$(ns_of "$i")" != "$n" ]] || names+=("m-$i"); done
    ((${#names[@]} == 0)) || kc -n "$n" delete apimonitors --wait=false "${names[@]}" >/dev/null
  done
}

# Scrapes that fail (a restarting process) read as empty, never end the script.
metric() { curl -fsS --max-time 3 "$1" | awk -v s="$2" '$1 == s && !found { print $2; found = 1 }' || true; }
loaded_hash() { curl -fsS --max-time 3 "$sync_url" | sed -n 's/^pulse_config_sync_last_loaded_hash_info{hash="\([0-9a-f]*\)"} 1$/\1/p' || true; }
op_hash() { curl -fsS --max-time 3 "$op_url" | sed -n 's/^pulse_operator_config_hash_info{hash="\([0-9a-f]*\)"} 1$/\1/p' || true; }
reloads() { metric "$sync_url" 'pulse_config_sync_reloads_total{result="success"}'; }
# sum_of URL NAME LABEL: the sum of the samples of metric NAME that have LABEL (k="v") among
# their labels (0 when none).
sum_of() {
  { curl -fsS --max-time 3 "$1" || true; } |
    awk -v n="$2{" -v l="$3" 'index($1, n) == 1 && index($1, l) { s += $2 } END { printf "%.0f\n", s }'
}
reconciles() { sum_of "$op_url" pulse_operator_reconcile_total 'controller="apimonitor"'; }
status_writes() { sum_of "$op_url" pulse_kube_client_requests_total 'verb="patch"'; }
now_ms() { date +%s%3N; }

# create_monitors FROM TO: ApiMonitors m-FROM..m-TO (static targets), server-side applied in
# chunks of 500 (one request per object, kubectl's own pace).
create_monitors() {
  local from="$1" to="$2" i f="$state/monitors.yaml"
  while ((from <= to)); do
    : >"$f"
    for ((i = from; i <= to && i < from + 500; i++)); do
      if [[ "$shape" == selector ]]; then
        printf -- '---\napiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: m-%d, namespace: %s}\nspec:\n  selector: {matchLabels: {app: m-%d}}\n  endpoints: [{port: http, interval: 30s}]\n' \
          "$i" "$(ns_of "$i")" "$i" >>"$f"
      else
        printf -- '---\napiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: m-%d, namespace: %s}\nspec:\n  staticTargets: [{targets: ["m-%d.example:8080"]}]\n  endpoints: [{interval: 30s}]\n' \
          "$i" "$ns" "$i" >>"$f"
      fi
    done
    kc apply --server-side -f "$f" >/dev/null
    from=$i
  done
}
# settled SECONDS: waits until the operator's config is the one Prometheus loaded and no work is
# queued (ApiMonitors to reconcile, statuses to write); fails after SECONDS.
settled() {
  local deadline=$((SECONDS + $1)) a b m
  while ((SECONDS < deadline)); do
    a="$(op_hash)"; b="$(loaded_hash)"
    m="$(curl -fsS --max-time 3 "$op_url" || true)"
    # A build without the status queue has no "status" series: awk reads it as 0.
    if [[ -n "$a" && "$a" == "$b" ]] && awk '$1 ~ /^pulse_operator_workqueue_depth\{controller="(apimonitor|status)"\}$/ { s += $2 } END { exit !(NR > 0 && s == 0) }' <<<"$m"; then
      return 0
    fi
    sleep 0.2
  done
  log "not settled after $1 s (operator $a, loaded $b)"; return 1
}
# patch_interval NAME SECONDS: one change through the API (no kubectl start-up in the timing).
patch_interval() {
  "${curl_admin[@]}" -o /dev/null -X PATCH -H 'Content-Type: application/merge-patch+json' \
    "$server/apis/monitoring.pulse.dev/v1alpha1/namespaces/$(ns_of "${1#m-}")/apimonitors/$1" \
    -d "{\"spec\":{\"endpoints\":[$(endpoint "$2")]}}"
}
percentile() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR * p + 99) / 100); if (i < 1) i = 1; print v[i] }'; }

declare -a rows
# apply_latency N: RUNS changes of one monitor with N present; p50/p99 ms until loaded.
apply_latency() {
  local n="$1" have i before t0 samples="" unsettled=0 rec0 sw0
  have="$(count_monitors)"
  ((have >= n)) || create_monitors $((have + 1)) "$n"
  settled 300
  rec0="$(reconciles)" sw0="$(status_writes)"
  for ((i = 1; i <= runs; i++)); do
    # One apply on a quiet system: the sync reloads at most once per --min-reload-interval (1 s),
    # so back-to-back applies would measure that interval, not the latency.
    sleep "$gap"
    before="$(loaded_hash)"
    t0="$(now_ms)"
    patch_interval m-1 $((10 + i % 2 * 5 + i))
    while [[ "$(loaded_hash)" == "$before" ]]; do sleep 0.01; done
    samples+="$(($(now_ms) - t0))"$'\n'
    # Not settled (a requeue of every monitor still writing statuses): the next apply queues
    # behind that work, which the row reports as unsettled.
    settled 300 || unsettled=$((unsettled + 1))
  done
  [[ -z "$out" ]] || curl -fsS --max-time 3 "$op_url" >"$out/apply-$n.metrics" || true
  rows+=("apply → loaded, $n monitors (ms, ${gap} s quiet before each) | p50 $(percentile 50 <<<"$samples") | p99 $(percentile 99 <<<"$samples") | n=$runs, $((unsettled)) not settled in 300 s; $(($(reconciles) - rec0)) ApiMonitor reconciles, $(($(status_writes) - sw0)) PATCHes (status); load $(cut -d' ' -f1 /proc/loadavg)")
  log "${rows[-1]}"
}

applies=(100 2000) starts=(1000 10000)
((quick)) && { applies=(100 200); starts=(1000); }
[[ -z "$starts_arg" ]] || IFS=, read -r -a starts <<<"$starts_arg"
[[ -z "$applies_arg" ]] || IFS=, read -r -a applies <<<"$applies_arg"
if ((!start_only)); then
for n in "${applies[@]}"; do apply_latency "$n"; done

log "burst: 100 changes within one second"
settled 120
r0="$(reloads)"; t0="$(now_ms)"
# One curl process sending the 100 PATCHes in parallel: 100 processes would not start within a
# second on a small machine.
burst=(-Z --parallel-max 100 --no-progress-meter)
for i in $(seq 1 100); do
  burst+=(--cacert "$(envof kube CA_FILE)" --cert "$(envof kube CLIENT_CERT)" --key "$(envof kube CLIENT_KEY)"
    -fsS -o /dev/null -X PATCH -H 'Content-Type: application/merge-patch+json'
    -d "{\"spec\":{\"endpoints\":[$(endpoint $((40 + i % 7)))]}}"
    "$server/apis/monitoring.pulse.dev/v1alpha1/namespaces/$(ns_of "$i")/apimonitors/m-$i" --next)
done
unset 'burst[-1]'
curl "${burst[@]}"
t1="$(now_ms)"
settled 120
sleep 3
rows+=("burst of 100 changes in $((t1 - t0)) ms | reloads $(($(reloads) - r0)) | | load $(cut -d' ' -f1 /proc/loadavg)")
log "${rows[-1]}"

fi

# start_case N LABEL: stops the operator, starts it again and times start → complete config
# loaded (every monitor accepted and that config is the one Prometheus loaded).
start_case() {
  local n="$1" label="$2" t0 tl t1 pid rss db0 db1 delivered tag
  "$(envof pulse STOP_OPERATOR)" operator
  db0="$(metric "$(envof kube ETCD_URL)/metrics" etcd_mvcc_db_total_size_in_bytes | awk '{ printf "%.0f", $1 }')"
  t0="$(now_ms)"
  "$(envof pulse START_OPERATOR)" operator >/dev/null
  # Loaded: every monitor accepted and the operator's config is the one Prometheus loaded (the
  # first delivery after a start already holds every object, config_reconciler.h). Settled, in
  # addition: no ApiMonitor queued (status writes that follow the delivery are done).
  local deadline=$((SECONDS + 900)) a
  until [[ "$(metric "$op_url" 'pulse_operator_objects{kind="ApiMonitor",state="accepted"}')" == "$n" ]] &&
    a="$(op_hash)" && [[ -n "$a" && "$a" == "$(loaded_hash)" ]]; do
    ((SECONDS < deadline)) || { log "start with $n: not loaded after 900 s"; return 1; }
    sleep 0.05
  done
  tl="$(now_ms)"
  settled 900
  t1="$(now_ms)"
  pid="$(cat "$(envof pulse OPERATOR_PID_FILE)")"
  rss="$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")"
  db1="$(metric "$(envof kube ETCD_URL)/metrics" etcd_mvcc_db_total_size_in_bytes | awk '{ printf "%.0f", $1 }')"
  delivered="$(kc -n pulse-system get secrets,configmaps -l app.kubernetes.io/managed-by=pulse-operator -o json |
    jq '[.items[] | ((.data // {}) | to_entries | map(.value | length) | add // 0)] | add')"
  if [[ -n "$out" ]]; then
    tag="start-$n-${label// /-}"
    cp "$(envof pulse OPERATOR_LOG)" "$out/$tag.operator.log"
    curl -fsS --max-time 3 "$op_url" >"$out/$tag.metrics" || true
  fi
  rows+=("start → loaded, $n monitors, $label | $((tl - t0)) ms (queue drained $((t1 - t0)) ms) | peak RSS $((rss / 1024)) MiB | delivered data $((delivered / 1024)) KiB, etcd db $((db0 / 1048576)) → $((db1 / 1048576)) MiB, load $(cut -d' ' -f1 /proc/loadavg)")
  log "${rows[-1]}"
}

# set_variant FLAGS: the operator's next start uses the testenv's arguments plus FLAGS
# (scripts/testenv/operator-replica.sh reads STATEDIR/pulse/operator.args, one per line).
set_variant() {
  local args="$state/pulse/operator.args" w
  [[ -f "$args.base" ]] || cp "$args" "$args.base"
  { cat "$args.base"; for w in $1; do printf '%s\n' "$w"; done; } >"$args"
}

for n in "${starts[@]}"; do
  for v in "${variants[@]}"; do
    log "operator start with $n monitors${v:+, flags $v}"
    # Stopped while the set changes: the objects created now have no status yet, as on a first
    # start. With variants, every variant starts from objects without status.
    "$(envof pulse STOP_OPERATOR)" operator
    ((${#variants[@]} == 1)) || {
      for n in $(bench_namespaces); do kc -n "$n" delete apimonitors --all --wait=false >/dev/null; done
      until (($(count_monitors) == 0)); do sleep 0.5; done
    }
    [[ ${#variants[@]} == 1 && -z "$v" ]] || set_variant "$v"
    have="$(count_monitors)"
    ((have >= n)) || create_monitors $((have + 1)) "$n"
    if ((have > n)); then
      delete_monitors $((n + 1)) "$have"
      until (($(count_monitors) == n)); do sleep 0.5; done
    fi
    nostatus="$(kc get apimonitors -A -o json | jq --arg p "$ns" '[.items[] | select(.metadata.namespace == $p or (.metadata.namespace | startswith($p + "-"))) | select(.status.observedGeneration == null)] | length')"
    start_case "$n" "${v:+flags $v, }$nostatus without status"
    start_case "$n" "${v:+flags $v, }restart, statuses current"
  done
done

log "operator args: ${PULSE_OPERATOR_EXTRA_ARGS:-(defaults)}; monitor shape: $shape"
printf '\n| measurement | value | value | note |\n|---|---|---|---|\n'
for r in "${rows[@]}"; do printf '| %s |\n' "$r"; done
