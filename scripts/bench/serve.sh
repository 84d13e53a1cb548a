#!/usr/bin/env bash
# /metrics serving benchmark (issue 15), loopback only, pulse-exporter side by side with Debian's
# prometheus-postgres-exporter in the same run, both pointed at one PostgreSQL started here:
#   * /metrics p50/p99 (wrk --latency, 1 connection, sequential requests), plain and with
#     Accept-Encoding: gzip, and plain again while 500 idle half-open connections
#     ("GET /metrics HTTP/1.1\r\nHost: x\r\n", never finished; re-opened when cut) are held
#   * response sizes, and how long each takes to exit after SIGTERM
#
#   scripts/bench/serve.sh [BUILD_DIR] [SECONDS_PER_CASE]
# BUILD_DIR defaults to build-serve (must contain exporter/pulse-exporter). Prints a markdown
# section for docs/benchmarks.md. Bounded: about 6 x SECONDS_PER_CASE plus start-up.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build-serve}"
duration="${2:-8}"
exporter="$build/exporter/pulse-exporter"
[[ -x "$exporter" ]] || { echo "no $exporter; build the pulse-exporter target first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing (scripts/setup.sh)" >&2; exit 1; }
peer=/usr/bin/prometheus-postgres-exporter
[[ -x "$peer" ]] || { echo "no $peer (apt-get install prometheus-postgres-exporter)" >&2; exit 1; }
testenv="$root/scripts/testenv/testenv.sh"
state="$(mktemp -d /tmp/pulse-bench-serve.XXXXXX)"
chmod 755 "$state"  # PostgreSQL runs as its own user
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  "$testenv" stop postgres "$state" >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

log "starting postgres"
"$testenv" start postgres "$state" 2>"$state/start.log" || { cat "$state/start.log" >&2; exit 1; }
pgport="$(sed -n 's/^PORT=//p' "$state/postgres/env")"

port="$(free_port)"
cat >"$state/exporter.yaml" <<YAML
targets:
  - {name: postgres, type: postgresql, postgresql: {host: 127.0.0.1, port: $pgport, user: postgres}}
YAML
"$exporter" --config "$state/exporter.yaml" --listen "127.0.0.1:$port" 2>"$state/exporter.log" &
pids+=($!); exporter_pid=$!
peer_port="$(free_port)"
DATA_SOURCE_NAME="postgresql://postgres@127.0.0.1:$pgport/postgres?sslmode=disable" \
  "$peer" --web.listen-address="127.0.0.1:$peer_port" 2>"$state/peer.log" &
pids+=($!); peer_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null |
       grep -q 'pulse_exporter_target_up{target="postgres",type="postgresql"} 1' &&
     curl -fsS "http://127.0.0.1:$peer_port/metrics" >/dev/null 2>&1; then break; fi
  sleep 0.2
done

# Holds N half-open connections to a port until killed, re-opening any the server cuts.
cat >"$state/idle.py" <<'PY'
import resource, select, socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
head = b"GET /metrics HTTP/1.1\r\nHost: x\r\n"
def conn():
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(head); return s
socks = {}
def add():
    s = conn(); socks[s.fileno()] = s; poller.register(s, select.POLLIN)
poller = select.poll()
for _ in range(n): add()
print("ready", flush=True)
while True:
    for fd, _ in poller.poll(100):
        poller.unregister(fd); socks.pop(fd).close(); add()
PY

# wrk one connection, sequential; prints "p50 p99 req/s" (latencies in ms).
measure() {  # URL [wrk args...]
  local url="$1"; shift
  wrk -t1 -c1 -d"${duration}s" --latency "$@" "$url" >"$state/wrk.out" 2>&1 || true
  python3 - "$state/wrk.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(tag):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % tag, text, re.M)
    if not m: return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
errs = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", text)
print("%.2f %.2f %s %s" % (ms("50%"), ms("99%"), rps.group(1) if rps else "nan",
                           ("errors: " + errs.group(0)) if errs else ""))
PY
}
size() { curl -fsS -o /dev/null -w '%{size_download}' "$@"; }

declare -A result
for who in pulse peer; do
  if [[ $who == pulse ]]; then p=$port; else p=$peer_port; fi
  url="http://127.0.0.1:$p/metrics"
  log "$who: plain"; result[$who,plain]="$(measure "$url")"
  log "$who: gzip"; result[$who,gzip]="$(measure "$url" -H 'Accept-Encoding: gzip')"
  result[$who,size]="$(size "$url")"
  result[$who,gzsize]="$(size -H 'Accept-Encoding: gzip' "$url")"
  log "$who: 500 idle half-open connections"
  python3 "$state/idle.py" "$p" 500 >"$state/idle.out" 2>&1 &
  idle_pid=$!
  for _ in $(seq 1 100); do grep -q ready "$state/idle.out" && break; sleep 0.1; done
  result[$who,idle]="$(measure "$url")"
  kill "$idle_pid"; wait "$idle_pid" 2>/dev/null || true
done

# Time from SIGTERM to exit.
stop_ms() {  # PID
  local start end
  start=$(date +%s%N); kill -TERM "$1"
  while kill -0 "$1" 2>/dev/null; do sleep 0.005; done
  end=$(date +%s%N); echo $(((end - start) / 1000000))
}
pulse_stop="$(stop_ms "$exporter_pid")"; peer_stop="$(stop_ms "$peer_pid")"

cell() { awk '{printf "%s / %s ms (%s req/s)%s", $1, $2, $3, ($4 ? " " $4 " " $5 " " $6 : "")}' <<<"$1"; }
cat <<EOF

## /metrics under hostile clients (issue 15) — $(date +%Y-%m-%d)
\`scripts/bench/serve.sh $build $duration\`: one PostgreSQL (testenv), pulse-exporter and
prometheus-postgres-exporter $("$peer" --version 2>&1 | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -1) scraping it, wrk 1 connection ${duration} s per case, loopback.
Machine: $(lscpu | sed -n 's/^Model name:\s*//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg).

| /metrics p50 / p99 | pulse-exporter | prometheus-postgres-exporter |
|---|---|---|
| plain | $(cell "${result[pulse,plain]}") | $(cell "${result[peer,plain]}") |
| \`Accept-Encoding: gzip\` | $(cell "${result[pulse,gzip]}") | $(cell "${result[peer,gzip]}") |
| plain, 500 idle half-open connections held | $(cell "${result[pulse,idle]}") | $(cell "${result[peer,idle]}") |
| body bytes plain / gzip | ${result[pulse,size]} / ${result[pulse,gzsize]} | ${result[peer,size]} / ${result[peer,gzsize]} |
| SIGTERM to exit | ${pulse_stop} ms | ${peer_stop} ms |
EOF
