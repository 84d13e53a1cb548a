#!/usr/bin/env bash
# Overhead of pulse-red's RED recording in a real server: the crm demo service under wrk, with
# and without instrumentation (--no-instrumentation), in the same run, on a route that does no
# I/O, so the difference is the per-request cost of the instrumentation (histogram + per-user
# top-K) relative to civetweb's own per-request work.
#
# Route: GET /customers/{id} with a non-numeric id. It matches the registered template (so it is
# recorded as route="/customers/{id}", status="400", with the request's user), and the handler
# rejects the id before any Redis call. The service is started with --redis pointing at a closed
# loopback port, so any accidental I/O would fail loudly instead of being measured.
# Users: every request carries X-User-Id drawn from a Zipf(1)-like law over 100,000 ids (the
# same shape as pulse_red_bench), so the top-K sees repeat users and a long tail.
#
# Usage: scripts/bench/red-overhead.sh [BUILD_DIR]          (default: build)
#   DURATION_S=10  seconds of wrk per measurement
#   ROUNDS=2       alternating (instrumented, plain) pairs; medians are reported
#   CONNECTIONS=32 WRK_THREADS=1 SERVER_THREADS=16
# Everything listens on 127.0.0.1 (port chosen by the kernel); the service is stopped on exit.
# Bounded: each wrk run is capped by `timeout`, startup by a 10 s wait.
set -euo pipefail

BUILD_DIR=${1:-build}
DURATION_S=${DURATION_S:-10}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-1}
SERVER_THREADS=${SERVER_THREADS:-16}
BIN="$BUILD_DIR/examples/pulse-demo-crm"

[ -x "$BIN" ] || { echo "red-overhead: $BIN not found (build target pulse-demo-crm)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "red-overhead: wrk not installed (Debian package wrk)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/red-overhead.XXXXXX)
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT

cat > "$WORK/users.lua" <<'EOF'
-- One request per call: GET /customers/x with a Zipf(1)-like user id (P(id) ∝ 1/id on 1..1e5).
math.randomseed(42)
request = function()
  local id = math.floor(100000 ^ math.random())
  return wrk.format("GET", "/customers/x", { ["X-User-Id"] = "user-" .. id })
end
EOF

# start_server MODE: MODE is "instrumented" or "plain".
start_server() {
  local flags=()
  [ "$1" = plain ] && flags+=(--no-instrumentation)
  rm -f "$WORK/port"
  "$BIN" --listen 127.0.0.1:0 --port-file "$WORK/port" --redis 127.0.0.1:1 \
    --threads "$SERVER_THREADS" "${flags[@]}" > "$WORK/server-$1.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    [ -s "$WORK/port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server-$1.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$WORK/port" ] || { echo "red-overhead: server did not start" >&2; exit 1; }
  PORT=$(cat "$WORK/port")
}

# run_wrk MODE → prints requests/s
run_wrk() {
  start_server "$1"
  local out
  out=$(timeout $((DURATION_S + 30)) wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${DURATION_S}s" \
    -s "$WORK/users.lua" "http://127.0.0.1:$PORT/customers/x")
  echo "$out" > "$WORK/wrk-$1.txt"
  if [ "$1" = instrumented ]; then
    # Sanity: the requests were recorded on the matched route, and the per-user series add up.
    local metrics
    metrics=$(curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics" || true)
    # (run_wrk runs in a subshell: results go through files)
    echo "$metrics" | awk '/^http_request_duration_seconds_count\{method="GET",route="\/customers\/\{id\}",status="400"\}/ {printf "%.0f", $2}' \
      > "$WORK/recorded"
    echo "$metrics" | awk '/^http_requests_by_user_total\{/ {s += $2} END {printf "%.0f", s}' > "$WORK/by_user"
  fi
  stop_server
  echo "$out" | awk '/^Requests\/sec:/ {print $2}'
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "red-overhead: $BIN, GET /customers/x (400 before any I/O), ${DURATION_S}s x $ROUNDS rounds," \
  "wrk -t$WRK_THREADS -c$CONNECTIONS, server --threads $SERVER_THREADS, load: $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$WORK/instrumented"
: > "$WORK/plain"
for r in $(seq "$ROUNDS"); do
  inst=$(run_wrk instrumented)
  plain=$(run_wrk plain)
  echo "round $r: instrumented $inst req/s (recorded $(cat "$WORK/recorded"), user series + __other__" \
    "$(cat "$WORK/by_user")), plain $plain req/s"
  echo "$inst" >> "$WORK/instrumented"
  echo "$plain" >> "$WORK/plain"
done
INST=$(median < "$WORK/instrumented")
PLAIN=$(median < "$WORK/plain")
awk -v i="$INST" -v p="$PLAIN" 'BEGIN {
  printf "median req/s: instrumented %.0f, plain %.0f\n", i, p
  printf "ratio instrumented/plain = %.3f (overhead %.1f%% of requests per second)\n",
         i / p, (1 - i / p) * 100
}'
