#!/usr/bin/env bash
# Runs the demo system on this machine: Redis, RabbitMQ and two PostgreSQL instances — the shop
# db and the MES db — (scripts/testenv), the shop, crm and mes services instrumented with
# pulse-red, the shop's order consumer, and the load generator for a bounded time. Everything
# listens on 127.0.0.1 (the services' /metrics: METRICS_ADDRESS). When STATEDIR/s3/env exists (scripts/testenv s3 started there), the shop
# writes an invoice per order into its bucket shop-invoices.
#
#   examples/run-demo.sh start STATEDIR [BUILD_DIR]   start all (BUILD_DIR default: build)
#   examples/run-demo.sh stop  STATEDIR               stop everything it started
#
# Environment: SHOP_PORT CRM_PORT MES_PORT (default 0 = free ports), METRICS_ADDRESS (where the
# services serve /metrics, default 127.0.0.1; scripts/demo.sh passes the address its
# EndpointSlices name, as the API server refuses loopback ones), LOAD_RPS (default 60),
# LOAD_DURATION_S (default 600), LOAD_USERS (default 100000), LOAD_NOT_FOUND_PCT (default 1).
# After start, STATEDIR/demo.env has SHOP_URL, CRM_URL, MES_URL (the APIs), METRICS_ADDRESS and
# SHOP_METRICS_PORT, CRM_METRICS_PORT, MES_METRICS_PORT (each serves /metrics), the backends' addresses and
# LOADGEN_STATS (live JSON counts of what the load generator sent and got back); logs are in
# STATEDIR/demo/*.log. The MES db is testenv's postgres in STATEDIR/mes-db/ (testenv keeps one
# server of a kind per state dir, so the second instance gets a state dir of its own).
# Both databases get a role "pulse" with pg_monitor (the password from examples/crs/secrets.yaml)
# and the pg_buffercache extension, as a DBA would set them up for monitoring.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
testenv="$root/scripts/testenv/testenv.sh"

usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 2 ]] || usage
cmd="$1"
mkdir -p "$2"
state="$(cd "$2" && pwd)"
build="${3:-$root/build}"
demo="$state/demo"
mesdb_state="$state/mes-db"

envval() { sed -n "s/^$3=//p" "$1/$2/env"; }  # envval STATEDIR SERVER KEY

# start_bg NAME CMD...: own session, pid in $demo/NAME.pid, log in $demo/NAME.log. Marked and
# recorded like scripts/testenv's processes, so its leftover check (leftover_pids) sees them too.
start_bg() {
  local name="$1"; shift
  PULSE_TESTENV_OWNER="$demo" setsid "$@" >"$demo/$name.log" 2>&1 </dev/null &
  echo $! >"$demo/$name.pid"
  echo $! >>"$state/.spawned-groups"
}

wait_port_file() {
  local i
  for i in $(seq 1 150); do [[ -s "$1" ]] && return 0; sleep 0.1; done
  echo "run-demo: $(basename "$1" .port) did not start; see ${1%.port}.log" >&2
  return 1
}

# A stopped process group is TERMed together, so each service's shutdown overlaps the others'.
stop_demo() {
  local f pid pids=() i
  for f in "$demo"/*.pid; do
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"; pids+=("$pid")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  rm -f "$demo"/*.pid
  "$testenv" stop postgres "$mesdb_state" &
  for server in rabbitmq postgres redis; do "$testenv" stop "$server" "$state" & done
  wait
}

# prepare_db STATEDIR DATABASE PASSWORD: the application database, and a monitoring role.
prepare_db() {
  local bin port sql
  bin="$(envval "$1" postgres BIN_DIR)"; port="$(envval "$1" postgres PORT)"
  sql=(-v ON_ERROR_STOP=1 -q -h 127.0.0.1 -p "$port" -U postgres)
  "$bin/psql" "${sql[@]}" -d postgres -c "CREATE DATABASE $2" \
    -c "CREATE ROLE pulse LOGIN PASSWORD '$3' IN ROLE pg_monitor"
  # pg_buffercache grants its view to pg_monitor itself.
  "$bin/psql" "${sql[@]}" -d "$2" -c "CREATE EXTENSION IF NOT EXISTS pg_buffercache"
}

case "$cmd" in
  start)
    for bin in pulse-demo-shop pulse-demo-crm pulse-demo-mes pulse-demo-shop-consumer pulse-demo-loadgen; do
      [[ -x "$build/examples/$bin" ]] || { echo "run-demo: $build/examples/$bin missing (build it first)" >&2; exit 1; }
    done
    [[ -d "$demo" ]] && stop_demo
    mkdir -p "$demo" "$mesdb_state"
    chmod 755 "$mesdb_state"  # the postgres user must reach its data dir
    # The backends start in parallel (RabbitMQ alone takes ~7 s); each writes its own log.
    pids=()
    for server in redis postgres rabbitmq; do
      "$testenv" start "$server" "$state" 2>"$demo/start-$server.log" & pids+=($!)
    done
    "$testenv" start postgres "$mesdb_state" 2>"$demo/start-mes-db.log" & pids+=($!)
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=1; done
    if ((failed)); then cat "$demo"/start-*.log >&2; exit 1; fi
    prepare_db "$state" shop demo-shop-db-password
    prepare_db "$mesdb_state" mes demo-mes-db-password
    redis="127.0.0.1:$(envval "$state" redis PORT)"
    shop_dsn="host=127.0.0.1 port=$(envval "$state" postgres PORT) user=postgres dbname=shop"
    mes_dsn="host=127.0.0.1 port=$(envval "$mesdb_state" postgres PORT) user=postgres dbname=mes"
    mgmt="$(envval "$state" rabbitmq MGMT_URL)"
    amqp="amqp://$(envval "$state" rabbitmq USER):$(envval "$state" rabbitmq PASSWORD)@127.0.0.1:$(envval "$state" rabbitmq AMQP_PORT)/"
    metrics_address="${METRICS_ADDRESS:-127.0.0.1}"
    s3=()
    if [[ -f "$state/s3/env" ]]; then
      s3=(--s3-endpoint "$(envval "$state" s3 ENDPOINT)" --s3-bucket shop-invoices
          --s3-access-key "$(envval "$state" s3 ACCESS_KEY)" --s3-secret-key "$(envval "$state" s3 SECRET_KEY)"
          --s3-region "$(envval "$state" s3 REGION)")
    fi
    start_bg shop "$build/examples/pulse-demo-shop" --listen "127.0.0.1:${SHOP_PORT:-0}" \
      --port-file "$demo/shop.port" --metrics-listen "$metrics_address:0" \
      --metrics-port-file "$demo/shop.metrics-port" --redis "$redis" --pg "$shop_dsn" \
      --amqp-url "$amqp" "${s3[@]}" --error-rate 0.02 --latency-ms 2 --jitter-ms 20
    start_bg crm "$build/examples/pulse-demo-crm" --listen "127.0.0.1:${CRM_PORT:-0}" \
      --port-file "$demo/crm.port" --metrics-listen "$metrics_address:0" \
      --metrics-port-file "$demo/crm.metrics-port" --redis "$redis" --error-rate 0.01 --jitter-ms 10
    start_bg mes "$build/examples/pulse-demo-mes" --listen "127.0.0.1:${MES_PORT:-0}" \
      --port-file "$demo/mes.port" --metrics-listen "$metrics_address:0" \
      --metrics-port-file "$demo/mes.metrics-port" --redis "$redis" --pg "$mes_dsn" \
      --error-rate 0.05 --latency-ms 5 --jitter-ms 40
    for s in shop crm mes; do wait_port_file "$demo/$s.port"; wait_port_file "$demo/$s.metrics-port"; done
    start_bg consumer "$build/examples/pulse-demo-shop-consumer" --amqp-url "$amqp" \
      --hold 5 --reject-every 4
    shop_port="$(cat "$demo/shop.port")"; crm_port="$(cat "$demo/crm.port")"; mes_port="$(cat "$demo/mes.port")"
    start_bg loadgen "$build/examples/pulse-demo-loadgen" \
      --target "shop=127.0.0.1:$shop_port,crm=127.0.0.1:$crm_port,mes=127.0.0.1:$mes_port" \
      --rps "${LOAD_RPS:-60}" --duration-s "${LOAD_DURATION_S:-600}" --users "${LOAD_USERS:-100000}" \
      --not-found-pct "${LOAD_NOT_FOUND_PCT:-1}" --stats-file "$demo/loadgen-stats.json"
    cat >"$state/demo.env" <<ENV
SHOP_URL=http://127.0.0.1:$shop_port
CRM_URL=http://127.0.0.1:$crm_port
MES_URL=http://127.0.0.1:$mes_port
METRICS_ADDRESS=$metrics_address
SHOP_METRICS_PORT=$(cat "$demo/shop.metrics-port")
CRM_METRICS_PORT=$(cat "$demo/crm.metrics-port")
MES_METRICS_PORT=$(cat "$demo/mes.metrics-port")
SHOP_PID=$(cat "$demo/shop.pid")
CRM_PID=$(cat "$demo/crm.pid")
MES_PID=$(cat "$demo/mes.pid")
REDIS=$redis
SHOP_DB_DSN=$shop_dsn
SHOP_DB_PORT=$(envval "$state" postgres PORT)
MES_DB_DSN=$mes_dsn
MES_DB_PORT=$(envval "$mesdb_state" postgres PORT)
PG_BIN_DIR=$(envval "$state" postgres BIN_DIR)
RABBITMQ_MGMT_URL=$mgmt
RABBITMQ_AMQP_URL=$amqp
LOADGEN_STATS=$demo/loadgen-stats.json
ENV
    cat "$state/demo.env"
    ;;
  stop) stop_demo; rm -f "$state/demo.env"; echo "run-demo: stopped" ;;
  *) usage ;;
esac
