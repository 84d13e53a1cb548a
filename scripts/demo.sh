#!/usr/bin/env bash
# The pulse demo: the user's whole system monitored live through the operator, on one machine,
# no containers. It installs what it needs (scripts/setup.sh), builds pulse, starts a real
# Kubernetes control plane, Prometheus (Kubernetes discovery on the local API server),
# Alertmanager, RabbitMQ, two PostgreSQL instances (shop db, MES db), Redis and S3; then pulse
# itself (the CRDs, `pulse-operator run` and `pulse-operator config-sync` out of cluster with
# their RBAC-limited ServiceAccount tokens); the shop, CRM and MES APIs and the load generator.
# Each API's metrics port is registered as a Service + EndpointSlice (pods cannot run here, so
# the endpoints point at this machine), the example resources are applied with `kubectl apply -f
# examples/crs/` as a user would, and one pulse-exporter runs per Exporter with the config the
# operator wrote into its ConfigMap and the credentials its Deployment takes from Secrets.
# Then it prints the user's 31 seed metrics with their live values from Prometheus
# (examples/seed-metrics.tsv), the URLs and each resource's status, refreshed until Ctrl-C.
#
# Usage: scripts/demo.sh [options]
#   --once            print the table once and exit: 0 when every metric has a value (waits up
#                     to --deadline for them first), 1 otherwise
#   --check SCRIPT    with --once: after the table, run SCRIPT while everything still runs
#                     (env DEMO_STATE, PROMETHEUS_URL, ALERTMANAGER_URL, KUBECONFIG); its exit
#                     status counts too (tests/demo/demo_truth.sh is such a script)
#   --no-setup        skip scripts/setup.sh (packages and Go tools already installed)
#   --no-build        use the binaries in the build dir as they are
#   --deadline S      seconds --once waits for values after the resources are applied (default 180)
#   --refresh S       seconds between table refreshes (default 10)
#   -h, --help        this text
# Environment: PULSE_BUILD_DIR (default build/; configured and built when missing),
#   LOAD_RPS (default 60 over the three APIs), LOAD_USERS, LOAD_NOT_FOUND_PCT (see
#   pulse-demo-loadgen --help for the traffic mix), PULSE_DEMO_STATE (the state dir to use
#   instead of a new temp dir; it is removed at the end).
# Ctrl-C (SIGINT) or SIGTERM stops everything it started, at once, and says what it stops.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

usage() { sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
once=0 setup=1 build=1 deadline=180 refresh=10 check=""
while (($#)); do
  case "$1" in
    --once) once=1 ;;
    --no-setup) setup=0 ;;
    --no-build) build=0 ;;
    --deadline|--refresh)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] ||
        { echo "demo: $1 needs a number of seconds (see scripts/demo.sh --help)" >&2; exit 2; }
      if [[ "$1" == --deadline ]]; then deadline="$2"; else refresh="$2"; fi
      shift ;;
    --check)
      [[ $# -ge 2 && -x "$2" ]] || { echo "demo: --check needs an executable script (see scripts/demo.sh --help)" >&2; exit 2; }
      check="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
      shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "demo: unknown option '$1' (see scripts/demo.sh --help)" >&2; exit 2 ;;
  esac
  shift
done

bdir="${PULSE_BUILD_DIR:-build}"
[[ "$bdir" == /* ]] || bdir="$root/$bdir"
testenv="$root/scripts/testenv/testenv.sh"
log() { printf '[demo %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
started_at=$SECONDS

# ---- stopping: everything this script started, whichever way it ends ----------------------
state=""
bg_pids=()  # helpers of ours (ninja, sleeps): killed first
# pulse-exporter process groups: one pid file each in $state/exporters/.
exporter_groups() { cat "$state"/exporters/*.pid 2>/dev/null || true; }
stopping=0
cleanup() {
  local rc=$? p
  ((stopping)) && return
  stopping=1
  trap '' INT TERM
  for p in "${bg_pids[@]}"; do kill -TERM -- "$p" 2>/dev/null || true; done
  [[ -n "$state" && -d "$state" ]] || exit "$rc"
  log "stopping: $(exporter_groups | wc -l) pulse-exporter(s), the demo APIs and load generator, pulse (operator, config sync), Redis, RabbitMQ, PostgreSQL x2, S3, Alertmanager, Prometheus, Kubernetes"
  local t0=$SECONDS
  for p in $(exporter_groups); do kill -TERM -- "-$p" 2>/dev/null || true; done
  # Everything stops in parallel; each part waits for its own processes to exit.
  {
    "$root/examples/run-demo.sh" stop "$state" >/dev/null 2>&1 &
    for s in pulse s3 alertmanager; do "$testenv" stop "$s" "$state" >/dev/null 2>&1 & done
    wait
    # Prometheus and Kubernetes last: pulse talks to both until it stops.
    for s in prometheus kube; do "$testenv" stop "$s" "$state" >/dev/null 2>&1 & done
    wait
  }
  for p in $(exporter_groups); do kill -KILL -- "-$p" 2>/dev/null || true; done
  # Anything still alive from a process group testenv or we spawned is a bug: say so, kill it.
  local left
  left="$(source "$root/scripts/testenv/lib.sh"
          { leftover_pids "$state"; leftover_pids "$state/mes-db"; } | sort -u | tr '\n' ' ')"
  if [[ -n "${left// /}" ]]; then
    log "left behind, killed: $left"
    kill -KILL $left 2>/dev/null || true
  fi
  rm -rf "$state"
  log "stopped in $((SECONDS - t0)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# pause SECONDS: a sleep that a signal interrupts at once and that never outlives us.
pause() {
  sleep "$1" &
  bg_pids+=($!)
  wait $! || true
  unset 'bg_pids[-1]'
}

# ---- set up and build ------------------------------------------------------------------------
((setup)) && scripts/setup.sh

targets=(pulse-operator pulse-exporter pulse-demo-shop pulse-demo-shop-consumer pulse-demo-crm
         pulse-demo-mes pulse-demo-loadgen)
if ((build)); then
  if [[ ! -f "$bdir/build.ninja" ]]; then
    log "configuring $bdir"
    cmake -S . -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$bdir.configure.log" 2>&1 ||
      { cat "$bdir.configure.log" >&2; exit 1; }
    rm -f "$bdir.configure.log"
  fi
  log "building ${targets[*]} in $bdir (progress every 15 s)"
  blog="$(mktemp /tmp/pulse-demo-build.XXXXXX.log)"
  ninja -C "$bdir" "${targets[@]}" >"$blog" 2>&1 &
  ninja_pid=$!
  bg_pids+=("$ninja_pid")
  while kill -0 "$ninja_pid" 2>/dev/null; do
    pause 15
    kill -0 "$ninja_pid" 2>/dev/null &&
      log "  build: $(grep -o '^\[[0-9]*/[0-9]*\]' "$blog" | tail -n 1) $(($SECONDS - started_at)) s"
  done
  if ! wait "$ninja_pid"; then tail -n 40 "$blog" >&2; log "build failed (log: $blog)"; exit 1; fi
  unset 'bg_pids[-1]'
  log "build done: $(grep -o '^\[[0-9]*/[0-9]*\]' "$blog" | tail -n 1 || echo 'up to date')"
  rm -f "$blog"
fi
for t in operator/cmd/pulse-operator exporter/pulse-exporter; do
  [[ -x "$bdir/$t" ]] || { log "$bdir/$t missing (build it, or drop --no-build)"; exit 1; }
done
operator="$bdir/operator/cmd/pulse-operator"
exporter_bin="$bdir/exporter/pulse-exporter"

# ---- the servers -----------------------------------------------------------------------------
if [[ -n "${PULSE_DEMO_STATE:-}" ]]; then
  state="$PULSE_DEMO_STATE"; mkdir -p "$state"
else
  state="$(mktemp -d /tmp/pulse-demo.XXXXXX)"
fi
state="$(cd "$state" && pwd)"
chmod 755 "$state"  # PostgreSQL and RabbitMQ run as their own users and must reach their dirs
envof() { sed -n "s/^$2=//p" "$state/$1/env"; }
demoenv() { sed -n "s/^$1=//p" "$state/demo.env"; }

# start_parallel SERVER...: testenv starts, concurrently, each logging to $state/start-SERVER.log.
start_parallel() {
  local s pids=() failed=0 i=0
  for s in "$@"; do "$testenv" start "$s" "$state" 2>"$state/start-$s.log" & pids+=($!); done
  for s in "$@"; do
    if ! wait "${pids[$i]}"; then failed=1; log "$s failed to start:"; cat "$state/start-$s.log" >&2; fi
    i=$((i + 1))
  done
  return "$failed"
}

log "starting Kubernetes (etcd, kube-apiserver, kube-controller-manager), Prometheus, Alertmanager, S3; state in $state"
start_parallel kube prometheus alertmanager s3
export KUBECONFIG="$(envof kube KUBECONFIG)"
log "starting Redis, RabbitMQ, PostgreSQL (shop db) and PostgreSQL (MES db), the shop/CRM/MES APIs, the shop's order consumer and the load generator"
# The API server refuses loopback endpoint addresses: what Prometheus scrapes listens on the
# address register-target.sh names in its EndpointSlices (this machine's own).
target_address="$("$root/scripts/testenv/register-target.sh" --print-address)"
LOAD_DURATION_S=86400 METRICS_ADDRESS="$target_address" "$root/examples/run-demo.sh" start "$state" "$bdir" >"$state/run-demo.log" 2>&1 ||
  { cat "$state/run-demo.log" >&2; exit 1; }
log "starting pulse: CRDs, RBAC, pulse-operator run and pulse-operator config-sync"
PULSE_BUILD_DIR="$bdir" start_parallel pulse

# ---- targets: what a cluster's Services would be ---------------------------------------------
register="$root/scripts/testenv/register-target.sh"
log "registering the APIs' metrics ports as Services + EndpointSlices (default/shop, crm/crm, mes/mes)"
"$register" "$state" default shop "$(demoenv SHOP_METRICS_PORT)" http app.kubernetes.io/name=shop app.kubernetes.io/version=demo >/dev/null
"$register" "$state" crm crm "$(demoenv CRM_METRICS_PORT)" metrics app.kubernetes.io/name=crm >/dev/null
"$register" "$state" mes mes "$(demoenv MES_METRICS_PORT)" metrics app.kubernetes.io/name=mes >/dev/null

# ---- what the user does ----------------------------------------------------------------------
log "kubectl apply -f examples/crs/"
kubectl apply -f examples/crs/ | sed 's/^/  /'
applied_at=$SECONDS

# ---- one pulse-exporter per Exporter, as its Deployment would run it ------------------------
# The cluster names in the Exporters (shop-db.default.svc:5432 …) are what cluster DNS would
# resolve; here each maps to the loopback port of the matching local server. Nothing else in
# the operator's config is changed.
addresses="shop-db.default.svc:5432=127.0.0.1:$(demoenv SHOP_DB_PORT)
mes-db.default.svc:5432=127.0.0.1:$(demoenv MES_DB_PORT)
rabbitmq.default.svc:15672=$(demoenv RABBITMQ_MGMT_URL | sed 's,^http://,,')
s3.default.svc:9000=127.0.0.1:$(envof s3 PORT)"

localise_config() {  # localise_config IN OUT: rewrite cluster addresses to loopback ones
  ADDRESSES="$addresses" python3 - "$1" "$2" <<'PY'
import os, sys, urllib.parse, yaml
amap = dict(l.split("=", 1) for l in os.environ["ADDRESSES"].splitlines() if l)
text = open(sys.argv[1]).read()
doc = yaml.safe_load(text)
def local(host, port):
    to = amap.get(f"{host}:{port}")
    if to is None:
        sys.exit(f"demo: no local server for {host}:{port} (the demo maps {', '.join(amap)})")
    h, p = to.rsplit(":", 1)
    return h, int(p)
for t in doc["targets"]:
    if "postgresql" in t:
        pg = t["postgresql"]
        pg["host"], pg["port"] = local(pg["host"], pg.get("port", 5432))
    for kind, key in (("rabbitmq", "url"), ("s3", "endpoint")):
        if kind in t:
            u = urllib.parse.urlsplit(t[kind][key])
            h, p = local(u.hostname, u.port or (443 if u.scheme == "https" else 80))
            t[kind][key] = f"{u.scheme}://{h}:{p}{u.path}"
header = "".join(l + "\n" for l in text.splitlines() if l.startswith("#"))
open(sys.argv[2], "w").write(header + "# Cluster addresses mapped to loopback by scripts/demo.sh.\n"
                             + yaml.safe_dump(doc, sort_keys=False))
PY
}

free_port() { python3 -c 'import socket, sys; s=socket.socket(); s.bind((sys.argv[1],0)); print(s.getsockname()[1])' "$target_address"; }

exporters_dir="$state/exporters"
mkdir -p "$exporters_dir"
start_exporter() {  # start_exporter NAME: from the operator's ConfigMap and Deployment
  local name="$1" obj="pulse-exporter-$1" i envs=() port
  for i in $(seq 1 120); do
    kubectl -n default get configmap "$obj" -o json >"$exporters_dir/$name.cm.json" 2>/dev/null &&
      kubectl -n default get deployment "$obj" -o json >"$exporters_dir/$name.deploy.json" 2>/dev/null &&
      kubectl -n default get service "$obj" -o name >/dev/null 2>&1 &&
      break
    ((i == 120)) && { log "the operator wrote no ConfigMap/Deployment/Service $obj within 60 s"; return 1; }
    pause 0.5
  done
  jq -r '.data["config.yaml"]' "$exporters_dir/$name.cm.json" >"$exporters_dir/$name.operator.yaml"
  localise_config "$exporters_dir/$name.operator.yaml" "$exporters_dir/$name.yaml"
  # The Deployment's env: each variable from a Secret key (secretKeyRef), as the kubelet sets it.
  while IFS=$'\t' read -r var secret key; do
    envs+=("$var=$(kubectl -n default get secret "$secret" -o json | jq -r --arg k "$key" '.data[$k] | @base64d')")
  done < <(jq -r '.spec.template.spec.containers[0].env[] | [.name, .valueFrom.secretKeyRef.name, .valueFrom.secretKeyRef.key] | @tsv' "$exporters_dir/$name.deploy.json")
  port="$(free_port)"
  env "${envs[@]}" PULSE_TESTENV_OWNER="$state/exporters" setsid "$exporter_bin" \
    --config "$exporters_dir/$name.yaml" --listen "$target_address:$port" \
    >"$exporters_dir/$name.log" 2>&1 </dev/null &
  echo "$!" >"$exporters_dir/$name.pid"
  echo "$!" >>"$state/.spawned-groups"
  for i in $(seq 1 100); do
    curl -fsS -o /dev/null "http://$target_address:$port/readyz" 2>/dev/null && break
    ((i == 100)) && { log "pulse-exporter $name did not get ready:"; tail -n 20 "$exporters_dir/$name.log" >&2; return 1; }
    pause 0.1
  done
  "$register" "$state" default "$obj" "$port" metrics >/dev/null
  log "  pulse-exporter $name on $target_address:$port (config: ConfigMap default/$obj, env: $(printf '%s ' "${envs[@]%%=*}"))"
}
log "starting one pulse-exporter per Exporter with the config the operator wrote"
pids=()
for x in $(kubectl get exporters.monitoring.pulse.dev -n default -o jsonpath='{.items[*].metadata.name}'); do
  start_exporter "$x" & pids+=($!)
done
bg_pids+=("${pids[@]}")  # so that a stop now also ends the starting
for p in "${pids[@]}"; do wait "$p" || { log "an exporter failed to start"; exit 1; }; done
bg_pids=()

# ---- the table -------------------------------------------------------------------------------
seed_file="$root/examples/seed-metrics.tsv"
prom="$(envof prometheus URL)"
am="$(envof alertmanager URL)"

# human VALUE WHAT: a readable value for the row's unit.
human() {
  awk -v v="$1" -v what="$2" 'BEGIN {
    if (what ~ /bytes/) { split("B KiB MiB GiB TiB", u, " "); i = 1; while (v >= 1024 && i < 5) { v /= 1024; i++ }
                          printf (i == 1 ? "%d %s" : "%.1f %s"), v, u[i]; exit }
    if (what ~ /RPS/) { printf "%.2f/s", v; exit }
    if (what ~ /CPU %/) { printf "%.1f%%", v; exit }
    if (what ~ /seconds/) { printf "%.3f s", v; exit }
    printf (v == int(v) ? "%d" : "%.2f"), v }'
}

# query PROMQL: "VALUE<TAB>LABELS" of the first series, or nothing.
query() {
  curl -fsS --max-time 5 "$prom/api/v1/query" --data-urlencode "query=$1" 2>/dev/null |
    jq -r '.data.result[0] // empty | [.value[1], ([.metric | to_entries[] | "\(.key)=\(.value)"] | join(","))] | @tsv' 2>/dev/null |
    grep -v -E '^(NaN|\+Inf|-Inf)'$'\t' || true
}

values=()  # per row: the printed value, empty when Prometheus has none
missing_rows=()
collect() {
  local n what q r v labels
  values=(); missing_rows=()
  while IFS=$'\t' read -r n what q; do
    [[ "$n" == \#* || -z "$n" ]] && continue
    r="$(query "$q")"
    if [[ -n "$r" ]]; then
      v="${r%%$'\t'*}"; labels="${r#*$'\t'}"
      v="$(human "$v" "$what")"
      [[ -n "$labels" ]] && v="$v ($labels)"
      values+=("$v")
    else
      values+=(""); missing_rows+=("$n")
    fi
  done <"$seed_file"
}

print_table() {
  local n what q i=0 ww wq
  ww="$(awk -F'\t' '!/^#/ && length($2) > m { m = length($2) } END { print m }' "$seed_file")"
  wq="$(awk -F'\t' '!/^#/ && length($3) > m { m = length($3) } END { print m }' "$seed_file")"
  printf '\n%-3s  %-*s  %-*s  %s\n' "#" "$ww" "what (the seed's words)" "$wq" "PromQL" "live value from Prometheus"
  while IFS=$'\t' read -r n what q; do
    [[ "$n" == \#* || -z "$n" ]] && continue
    printf '%-3s  %-*s  %-*s  %s\n' "$n" "$ww" "$what" "$wq" "$q" "${values[$i]:-(no value yet)}"
    i=$((i + 1))
  done <"$seed_file"
  echo
  echo "Prometheus:   $prom   (graph of seed #3: $prom/graph?g0.expr=$(jq -rn --arg q "$(awk -F'\t' '$1 == 3 { print $3 }' "$seed_file")" '$q | @uri')&g0.tab=0)"
  echo "Alertmanager: $am"
  echo "Resources (kubectl get apimonitors,exporters -A):"
  kubectl get apimonitors.monitoring.pulse.dev,exporters.monitoring.pulse.dev -A -o json 2>/dev/null |
    jq -r '.items[] | [.kind, "\(.metadata.namespace)/\(.metadata.name)",
             ((.status.conditions // []) | map("\(.type)=\(.status)") | join(" "))] | @tsv' |
    awk -F'\t' '{ printf "  %-11s %-18s %s\n", $1, $2, ($3 == "" ? "(no status yet)" : $3) }'
  echo "$((31 - ${#missing_rows[@]})) of 31 seed metrics have a value$( ((${#missing_rows[@]})) && echo " (none yet: ${missing_rows[*]})")."
}

log "waiting for Prometheus to discover the targets and scrape them (the rates need two scrapes)"
last_note=0
while :; do
  collect
  ((${#missing_rows[@]} == 0)) && break
  if ((SECONDS - applied_at >= deadline)); then
    log "after ${deadline} s, ${#missing_rows[@]} metric(s) still have no value: ${missing_rows[*]}"
    break
  fi
  if ((SECONDS - last_note >= 10)); then
    log "  $((31 - ${#missing_rows[@]})) of 31 have values; waiting for: ${missing_rows[*]}"
    last_note=$SECONDS
  fi
  pause 3
done
log "the table, $((SECONDS - started_at)) s after start ($((SECONDS - applied_at)) s after kubectl apply)"
print_table
if ((once)); then
  status=0
  ((${#missing_rows[@]} == 0)) || status=1
  if [[ -n "$check" ]]; then
    log "running $check"
    DEMO_STATE="$state" PROMETHEUS_URL="$prom" ALERTMANAGER_URL="$am" "$check" || status=1
  fi
  exit "$status"
fi
[[ -z "$check" ]] || log "--check runs only with --once; ignored"
log "refreshing every ${refresh} s; Ctrl-C stops everything"
while :; do
  pause "$refresh"
  collect
  printf '\n[demo %s] refreshed\n' "$(date +%H:%M:%S)"
  print_table
done
