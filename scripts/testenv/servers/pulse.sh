# The pulse stack on the local control plane, as a cluster would run it but as local processes:
# `pulse-operator run` and `pulse-operator config-sync`, each with a ServiceAccount token bound to
# exactly its RBAC file in charts/pulse/files/ (never cluster-admin), delivering into the
# Prometheus of the same STATEDIR, whose Kubernetes discovery reaches the local apiserver with a
# token of the `prometheus` ServiceAccount (charts/pulse/files/prometheus-rbac.yaml).
#
# Usage: start `kube`, `prometheus` and `alertmanager` in STATEDIR first, then
#   PULSE_BUILD_DIR=/work/main/build scripts/testenv/testenv.sh start pulse STATEDIR
# It applies crds/, creates namespace pulse-system, starts the operator (leader election on,
# JSON log STATEDIR/pulse/operator.log, restarted by a supervisor when it exits as the kubelet
# would) and the config sync (writes STATEDIR/prometheus/prometheus.yml and rules/, reloads
# that Prometheus), and returns once the operator leads and Prometheus has loaded the operator's
# first config. Then `kubectl apply` CRs (KUBECONFIG= the kube server's env key) and make local
# processes discoverable with scripts/testenv/register-target.sh (Service + EndpointSlice). The
# apiserver refuses loopback endpoints: a target must listen on TARGET_ADDRESS (this machine's
# global IPv4 address, e.g. `--listen $TARGET_ADDRESS:0`), not on 127.0.0.1.
# Keys in STATEDIR/pulse/env: OPERATOR_METRICS_URL, OPERATOR_HEALTH_URL, OPERATOR_PID_FILE (the
# operator process; kill -9 it to simulate a crash, its supervisor restarts it in 1 s),
# OPERATOR_LOG, START_OPERATOR / STOP_OPERATOR (`$START_OPERATOR NAME` (re)starts replica NAME —
# "operator" is the first — with its own metrics port and log STATEDIR/pulse/NAME.log and prints
# METRICS_URL=...; `$STOP_OPERATOR NAME` stops it with SIGTERM, releasing the lease; see
# scripts/testenv/operator-replica.sh), CONFIG_SYNC_METRICS_URL, CONFIG_SYNC_PID_FILE,
# CONFIG_SYNC_LOG, NAMESPACE (pulse-system), KUBECONFIG_OPERATOR, KUBECONFIG_CONFIG_SYNC,
# PROMETHEUS_TOKEN_FILE, WATCH_NAMESPACES, BIN_DIR, TARGET_ADDRESS.
# Environment: PULSE_BUILD_DIR (the build with pulse-operator; default <repo>/build),
# PULSE_NAMESPACES (comma list the operator watches; default all namespaces — the CTest fixture
# narrows it so that other tests' objects on the shared apiserver stay theirs).
# `testenv.sh stop pulse STATEDIR` stops every replica and the sync (by process group).

_pulse_repo() { (cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd); }

# _pulse_env SERVER KEY: a key of another server's env file in the same STATEDIR.
_pulse_env() {
  local f="$_pulse_statedir/$1/env"
  [[ -f "$f" ]] || die "server '$1' is not running in $_pulse_statedir (start it before pulse)"
  sed -n "s/^$2=//p" "$f"
}

# _pulse_token_kubeconfig FILE SERVER CA TOKEN: a kubeconfig that authenticates with TOKEN.
_pulse_token_kubeconfig() {
  cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: pulse-test
  cluster:
    server: $2
    certificate-authority: $3
users:
- name: token
  user:
    token: $4
contexts:
- name: pulse-test
  context: {cluster: pulse-test, user: token, namespace: pulse-system}
current-context: pulse-test
YAML
  chmod 600 "$1"
}

# _pulse_metric URL SERIES: the value of one sample on a /metrics page (empty when absent).
_pulse_metric() {
  curl -fsS --max-time 2 "$1" 2>/dev/null | awk -v s="$2" '$1 == s && !found { print $2; found = 1 }'
}
_pulse_is_leader() { [[ "$(_pulse_metric "$1" pulse_operator_leader)" == 1 ]]; }

# Prometheus serves the operator's config: ours has the Alertmanager the operator was given,
# the testenv's initial one has no alerting section at all.
_pulse_prometheus_loaded() {
  local config; config="$(curl -fsS --max-time 2 "$1/api/v1/status/config")" || return 1
  [[ "$config" == *"$2"* ]]
}

server_start() {
  local dir="$1" build bin kubectl_admin server ca token prom_url prom_dir am_port
  _pulse_statedir="$(dirname "$dir")"
  build="${PULSE_BUILD_DIR:-$(_pulse_repo)/build}"
  bin="$build/operator/cmd/pulse-operator"
  [[ -x "$bin" ]] || die "no pulse-operator in $build (build it: ninja -C $build pulse-operator; or set PULSE_BUILD_DIR)"
  command -v kubectl >/dev/null || die "kubectl not installed (run scripts/setup.sh)"
  server="$(_pulse_env kube SERVER)"; ca="$(_pulse_env kube CA_FILE)"
  kubectl_admin=(kubectl --kubeconfig "$(_pulse_env kube KUBECONFIG)" --request-timeout=30s)
  # Which testenv Prometheus the config sync takes over (CTest: prometheus-e2e, see that launcher).
  local prom="${PULSE_PROMETHEUS_SERVER:-prometheus}"
  prom_url="$(_pulse_env "$prom" URL)"; prom_dir="$(dirname "$(_pulse_env "$prom" CONFIG)")"
  am_port="$(_pulse_env alertmanager PORT)"
  local repo target_address; repo="$(_pulse_repo)"
  target_address="$("$repo/scripts/testenv/register-target.sh" --print-address)" || return 1

  log "pulse: CRDs, namespace pulse-system, RBAC"
  "${kubectl_admin[@]}" apply --server-side --force-conflicts -f "$repo/crds/" >"$dir/setup.log" 2>&1 ||
    { cat "$dir/setup.log" >&2; return 1; }
  "${kubectl_admin[@]}" wait --for=condition=Established --timeout=60s \
    crd/apimonitors.monitoring.pulse.dev crd/exporters.monitoring.pulse.dev >>"$dir/setup.log" 2>&1 ||
    { cat "$dir/setup.log" >&2; return 1; }
  "${kubectl_admin[@]}" create namespace pulse-system --dry-run=client -o yaml |
    "${kubectl_admin[@]}" apply -f - >>"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; return 1; }
  local f
  for f in operator-rbac config-sync-rbac prometheus-rbac; do
    "${kubectl_admin[@]}" apply -f "$repo/charts/pulse/files/$f.yaml" >>"$dir/setup.log" 2>&1 ||
      { cat "$dir/setup.log" >&2; return 1; }
  done

  # TokenRequest tokens (what a projected ServiceAccount volume holds in a pod); long enough for
  # any run, as the throwaway CA itself lives two days.
  local sa
  for sa in pulse-operator pulse-config-sync prometheus; do
    token="$("${kubectl_admin[@]}" -n pulse-system create token "$sa" --duration=48h 2>>"$dir/setup.log")" ||
      { cat "$dir/setup.log" >&2; return 1; }
    printf '%s' "$token" >"$dir/$sa.token"; chmod 600 "$dir/$sa.token"
    _pulse_token_kubeconfig "$dir/$sa.kubeconfig" "$server" "$ca" "$token"
  done

  # The operator's command line, saved so a test can start a second replica or restart one.
  local watch="${PULSE_NAMESPACES:-}"
  # One argument per line (read back with mapfile). Short lease: a killed leader is replaced in
  # seconds, which the failover test relies on.
  {
    printf '%s\n' "$bin" run --kubeconfig "$dir/pulse-operator.kubeconfig" \
      --output-namespace pulse-system --leader-elect=true \
      --lease-duration 4s --renew-deadline 3s --retry-period 500ms \
      --alertmanager "127.0.0.1:$am_port" \
      --prometheus-api-server "$server" --prometheus-api-server-ca-file "$ca" \
      --prometheus-api-server-token-file "$dir/prometheus.token" --log-format json
    [[ -z "$watch" ]] || printf '%s\n' --namespaces "$watch"
    [[ -z "${PULSE_OPERATOR_EXTRA_ARGS:-}" ]] || printf '%s\n' $PULSE_OPERATOR_EXTRA_ARGS # e.g. --kube-api-qps 0
  } >"$dir/operator.args"
  # One-word commands for the env file: `$START_OPERATOR NAME`, `$STOP_OPERATOR NAME`.
  local verb
  for verb in start stop; do
    printf '#!/usr/bin/env bash\nexec %q %s %q "$@"\n' "$repo/scripts/testenv/operator-replica.sh" "$verb" "$dir" \
      >"$dir/$verb-operator.sh"
    chmod +x "$dir/$verb-operator.sh"
  done

  log "pulse: starting pulse-operator run and config-sync"
  "$dir/start-operator.sh" operator >/dev/null || return 1
  local op_url sync_port
  op_url="http://127.0.0.1:$(cat "$dir/ports/operator")"
  sync_port="$(free_port)"
  spawn "$dir" config-sync "$bin" config-sync --kubeconfig "$dir/pulse-config-sync.kubeconfig" \
    --namespace pulse-system --config-dir "$prom_dir" --prometheus-url "$prom_url" \
    --metrics-address "127.0.0.1:$sync_port" --log-format json
  wait_for 60 "pulse-operator to become leader ($op_url/metrics pulse_operator_leader 1)" \
    _pulse_is_leader "$op_url/metrics" || return 1
  wait_for 60 "Prometheus ($prom_url) to load the operator's config (alertmanager 127.0.0.1:$am_port)" \
    _pulse_prometheus_loaded "$prom_url" "127.0.0.1:$am_port" || return 1
  write_env "$dir" OPERATOR_METRICS_URL="$op_url/metrics" OPERATOR_HEALTH_URL="$op_url/healthz" \
    OPERATOR_PID_FILE="$dir/operator.pid" OPERATOR_LOG="$dir/operator.log" \
    START_OPERATOR="$dir/start-operator.sh" STOP_OPERATOR="$dir/stop-operator.sh" \
    CONFIG_SYNC_METRICS_URL="http://127.0.0.1:$sync_port/metrics" \
    CONFIG_SYNC_PID_FILE="$dir/pids/config-sync" CONFIG_SYNC_LOG="$dir/config-sync.log" \
    NAMESPACE=pulse-system KUBECONFIG_OPERATOR="$dir/pulse-operator.kubeconfig" \
    KUBECONFIG_CONFIG_SYNC="$dir/pulse-config-sync.kubeconfig" \
    PROMETHEUS_TOKEN_FILE="$dir/prometheus.token" WATCH_NAMESPACES="$watch" BIN_DIR="$(dirname "$bin")" \
    TARGET_ADDRESS="$target_address"
}
