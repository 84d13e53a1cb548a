# Helpers of the end-to-end tests: the servers' env keys, kubectl as admin, what Prometheus,
# the operator and the config sync report, and waits that always end (a deadline) and say what
# they waited for and what they saw last when they fail.
set -euo pipefail
: "${PULSE_TESTENV_DIR:?run through ctest (PULSE_TESTENV_DIR unset)}"
: "${PULSE_SOURCE_DIR:?run through ctest (PULSE_SOURCE_DIR unset)}"
: "${PULSE_BINARY_DIR:?run through ctest (PULSE_BINARY_DIR unset)}"

fail() {
  echo "FAIL: $*" >&2
  local log
  # The operator's and the sync's last words are usually the explanation.
  for log in "$PULSE_TESTENV_DIR"/pulse/{operator,replica-2,config-sync}.log; do
    [[ -f "$log" ]] || continue
    echo "--- last lines of $log" >&2
    tail -n 15 "$log" >&2
  done
  exit 1
}
pass() { echo "ok: $*"; }
step() { echo "== $* ($(date +%H:%M:%S))"; }

# envof SERVER KEY: a value the launcher wrote; fails the test when the server is not running.
envof() {
  local f="$PULSE_TESTENV_DIR/$1/env" v
  [[ -f "$f" ]] || fail "$1 is not running ($f missing)"
  v="$(sed -n "s/^$2=//p" "$f")"
  [[ -n "$v" ]] || fail "$1 env has no $2"
  printf '%s' "$v"
}

STATEDIR="$PULSE_TESTENV_DIR"
PROM_URL="$(envof prometheus-e2e URL)"  # the Prometheus the pulse fixture delivers into
OPERATOR_BIN="$(envof pulse BIN_DIR)/pulse-operator"
kc() { kubectl --kubeconfig "$(envof kube KUBECONFIG)" --request-timeout=30s "$@"; }

# wait_until SECONDS WHAT CMD...: polls CMD (every 0.5 s) until it succeeds; on the deadline,
# fails the test naming WHAT and showing CMD's last output.
wait_until() {
  local timeout="$1" what="$2"; shift 2
  local deadline=$((SECONDS + timeout)) started=$SECONDS out
  until out="$("$@" 2>&1)"; do
    if ((SECONDS >= deadline)); then
      fail "timed out after ${timeout}s waiting for $what; last check said: ${out:-(nothing)}"
    fi
    sleep 0.5
  done
  pass "$what (after $((SECONDS - started)) s)"
}

expect_eq() { [[ "$2" == "$3" ]] || fail "$1: expected '$2', got '$3'"; pass "$1 = $3"; }

# metric URL SERIES: one sample's value from a /metrics page ("" when absent).
metric() { curl -fsS --max-time 3 "$1" 2>/dev/null | awk -v s="$2" '$1 == s && !found { print $2; found = 1 }' || true; }
op_metric() { metric "$(envof pulse OPERATOR_METRICS_URL)" "$1"; }
sync_metric() { metric "$(envof pulse CONFIG_SYNC_METRICS_URL)" "$1"; }
config_queue_empty() {
  local d; d="$(op_metric 'pulse_operator_workqueue_depth{controller="config"}')"
  [[ "$d" == 0 ]] || { echo "config work queue depth ${d:-absent}"; return 1; }
}
sync_reloads() { sync_metric 'pulse_config_sync_reloads_total{result="success"}'; }
# The hash of the prometheus.yml the config sync last saw Prometheus load.
loaded_hash() {
  curl -fsS --max-time 3 "$(envof pulse CONFIG_SYNC_METRICS_URL)" |
    sed -n 's/^pulse_config_sync_last_loaded_hash_info{hash="\([0-9a-f]*\)"} 1$/\1/p'
}

# promql EXPR: the query result's samples as "labels-json value" lines.
promql() {
  curl -fsS --max-time 5 "$PROM_URL/api/v1/query" --data-urlencode "query=$1" |
    jq -r '.data.result[] | "\(.metric | tojson) \(.value[1])"'
}
# promql_value EXPR: the value of a query with exactly one sample (fails otherwise).
promql_value() {
  local out; out="$(promql "$1")"
  [[ -n "$out" && "$(wc -l <<<"$out")" -eq 1 ]] || { echo "query $1 gave: ${out:-no sample}"; return 1; }
  echo "${out##* }"
}
# up_is EXPR_SELECTOR VALUE: every `up` series matching the selector has VALUE (and there is one).
up_is() {
  local v; v="$(promql_value "up{$1}")" || return 1
  [[ "$v" == "$2" ]] || { echo "up{$1} = $v, want $2"; return 1; }
}
# active_targets SELECTOR_JQ: how many active targets Prometheus has whose labels match a jq test.
active_targets() {
  curl -fsS --max-time 5 "$PROM_URL/api/v1/targets?state=active" |
    jq "[.data.activeTargets[] | select(.labels | $1)] | length"
}
# The config Prometheus runs now (YAML as Prometheus re-serialises it).
loaded_config() { curl -fsS --max-time 5 "$PROM_URL/api/v1/status/config" | jq -r .data.yaml; }
# loaded_job_field JOB FIELD: a scrape job's field in Prometheus' loaded config.
loaded_job_field() {
  loaded_config | python3 -c '
import sys, yaml
job, field = sys.argv[1], sys.argv[2]
for j in yaml.safe_load(sys.stdin).get("scrape_configs") or []:
    if j.get("job_name") == job:
        print(j.get(field)); break
' "$1" "$2"
}

# condition KIND NS NAME TYPE: status of a condition ("" when absent).
condition() {
  kc -n "$2" get "$1" "$3" -o json | jq -r --arg t "$4" '.status.conditions[]? | select(.type == $t) | .status'
}
condition_is() { local s; s="$(condition "$1" "$2" "$3" "$4")"; [[ "$s" == "$5" ]] || { echo "$1 $2/$3 $4=$s"; return 1; }; }

# free_port: a port free on 127.0.0.1 right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Processes a test starts (targets, exporters) go here and are killed on exit, whatever happens.
E2E_PIDS=()
cleanup_pids() {
  local p
  for p in "${E2E_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${E2E_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup_pids EXIT

# start_bg LOG CMD...: runs CMD in the background, output to LOG; its pid in $BG_PID.
start_bg() {
  local log="$1"; shift
  "$@" >"$log" 2>&1 &
  BG_PID=$!
  E2E_PIDS+=("$BG_PID")
}

# A fresh `pulse-operator render` of the custom resources the operator watches, with the
# operator's own rendering flags, into DIR (replaced). The operator's delivered config must be
# exactly this once it has converged.
render_fresh() {
  local out="$1" in="$1.in" ns watch
  rm -rf "$in"; mkdir -p "$in"
  watch="$(sed -n 's/^WATCH_NAMESPACES=//p' "$STATEDIR/pulse/env")"
  local scopes=()
  if [[ -z "$watch" ]]; then scopes=(--all-namespaces); else
    for ns in ${watch//,/ }; do scopes+=("--namespace=$ns"); done
  fi
  local scope i=0
  for scope in "${scopes[@]}"; do
    kc get apimonitors.monitoring.pulse.dev,exporters.monitoring.pulse.dev "$scope" -o json |
      jq -c '.items[]' | while read -r item; do
        printf '%s\n' "$item" >"$in/$((i++))-$(jq -r '.metadata.namespace + "-" + .metadata.name' <<<"$item").json"
      done
  done
  local args=(render -f "$in" -o "$out" --keep-going --alertmanager "127.0.0.1:$(envof alertmanager PORT)"
    --prometheus-external-api-server "$(envof kube SERVER)" --ca-file "$(envof kube CA_FILE)"
    --token-file "$(envof pulse PROMETHEUS_TOKEN_FILE)")
  if [[ -z "$(ls "$in")" ]]; then
    echo "nothing to render"; return 1
  fi
  local rc=0
  "$OPERATOR_BIN" "${args[@]}" >"$out.log" 2>&1 || rc=$?
  ((rc == 0 || rc == 2)) || { cat "$out.log"; return 1; }
}

# converged DIR: Prometheus runs exactly the config a fresh render of the current objects gives
# (byte for byte in the file the sync wrote; by hash in what the sync saw Prometheus load).
converged() {
  local dir="$1" want have file
  render_fresh "$dir" || return 1
  want="$(sha256sum <"$dir/prometheus.yml" | cut -d' ' -f1)"
  have="$(loaded_hash)"
  file="$(dirname "$(envof prometheus-e2e CONFIG)")/prometheus.yml"
  if [[ "$have" != "$want" ]]; then
    echo "loaded hash $have, fresh render $want; diff file vs render:"
    diff "$file" "$dir/prometheus.yml" | head -20
    return 1
  fi
  cmp -s "$file" "$dir/prometheus.yml" || { echo "file differs from render"; return 1; }
  [[ "$(metric "$PROM_URL/metrics" prometheus_config_last_reload_successful)" == 1 ]] ||
    { echo "Prometheus' last reload failed"; return 1; }
}
