#!/usr/bin/env bash
# Runs the demo system on this machine: Redis, PostgreSQL and RabbitMQ (scripts/testenv), the
# shop, crm and mes services instrumented with pulse-red, the shop's order consumer, and the load
# generator for a bounded time. Everything listens on 127.0.0.1.
#
#   examples/run-demo.sh start STATEDIR [BUILD_DIR]   start all (BUILD_DIR default: build)
#   examples/run-demo.sh stop  STATEDIR               stop everything it started
#
# Environment: SHOP_PORT CRM_PORT MES_PORT (default 0 = free ports), LOAD_RPS (default 60),
# LOAD_DURATION_S (default 600), LOAD_USERS (default 100000).
# After start, STATEDIR/demo.env has SHOP_URL, CRM_URL, MES_URL (each serves /metrics) and the
# backends' addresses; logs are in STATEDIR/demo/*.log.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
testenv="$root/scripts/testenv/testenv.sh"

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 2 ]] || usage
cmd="$1"
mkdir -p "$2"
state="$(cd "$2" && pwd)"
build="${3:-$root/build}"
demo="$state/demo"

envval() { sed -n "s/^$2=//p" "$state/$1/env"; }

start_bg() {  # start_bg NAME CMD...: own session, pid in $demo/NAME.pid, log in $demo/NAME.log
  local name="$1"; shift
  setsid "$@" >"$demo/$name.log" 2>&1 </dev/null &
  echo $! >"$demo/$name.pid"
}

wait_port_file() {
  for _ in $(seq 1 100); do [[ -s "$1" ]] && return 0; sleep 0.1; done
  echo "run-demo: $(basename "$1" .port) did not start; see ${1%.port}.log" >&2
  return 1
}

stop_demo() {
  for f in "$demo"/*.pid; do
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$f"
  done
  for server in rabbitmq postgres redis; do "$testenv" stop "$server" "$state" || true; done
}

case "$cmd" in
  start)
    for bin in pulse-demo-shop pulse-demo-crm pulse-demo-mes pulse-demo-shop-consumer pulse-demo-loadgen; do
      [[ -x "$build/examples/$bin" ]] || { echo "run-demo: $build/examples/$bin missing (build it first)" >&2; exit 1; }
    done
    [[ -d "$demo" ]] && stop_demo
    mkdir -p "$demo"
    for server in redis postgres rabbitmq; do "$testenv" start "$server" "$state"; done
    redis="127.0.0.1:$(envval redis PORT)"
    pg="$(envval postgres DSN)"
    mgmt="$(envval rabbitmq MGMT_URL)"
    amqp="amqp://$(envval rabbitmq USER):$(envval rabbitmq PASSWORD)@127.0.0.1:$(envval rabbitmq AMQP_PORT)/"
    start_bg shop "$build/examples/pulse-demo-shop" --listen "127.0.0.1:${SHOP_PORT:-0}" \
      --port-file "$demo/shop.port" --redis "$redis" --pg "$pg" --amqp-url "$amqp" \
      --error-rate 0.02 --latency-ms 2 --jitter-ms 20
    start_bg crm "$build/examples/pulse-demo-crm" --listen "127.0.0.1:${CRM_PORT:-0}" \
      --port-file "$demo/crm.port" --redis "$redis" --error-rate 0.01 --jitter-ms 10
    start_bg mes "$build/examples/pulse-demo-mes" --listen "127.0.0.1:${MES_PORT:-0}" \
      --port-file "$demo/mes.port" --redis "$redis" --pg "$pg" --error-rate 0.05 \
      --latency-ms 5 --jitter-ms 40
    for s in shop crm mes; do wait_port_file "$demo/$s.port"; done
    start_bg consumer "$build/examples/pulse-demo-shop-consumer" --amqp-url "$amqp" \
      --hold 5 --reject-every 4
    shop_port="$(cat "$demo/shop.port")"; crm_port="$(cat "$demo/crm.port")"; mes_port="$(cat "$demo/mes.port")"
    start_bg loadgen "$build/examples/pulse-demo-loadgen" \
      --target "shop=127.0.0.1:$shop_port,crm=127.0.0.1:$crm_port,mes=127.0.0.1:$mes_port" \
      --rps "${LOAD_RPS:-60}" --duration-s "${LOAD_DURATION_S:-600}" --users "${LOAD_USERS:-100000}"
    cat >"$state/demo.env" <<ENV
SHOP_URL=http://127.0.0.1:$shop_port
CRM_URL=http://127.0.0.1:$crm_port
MES_URL=http://127.0.0.1:$mes_port
REDIS=$redis
PG_DSN=$pg
RABBITMQ_MGMT_URL=$mgmt
RABBITMQ_AMQP_URL=$amqp
ENV
    cat "$state/demo.env"
    ;;
  stop) stop_demo; rm -f "$state/demo.env"; echo "run-demo: stopped" ;;
  *) usage ;;
esac
