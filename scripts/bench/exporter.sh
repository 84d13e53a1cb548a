#!/usr/bin/env bash
# End-to-end benchmark of pulse-exporter against real servers, side by side in the same run with
# Debian's prometheus-postgres-exporter (same 10 databases) and RabbitMQ's own
# /metrics/per-object endpoint (same 1,000 queues):
#   * /metrics latency p50/p99 (wrk, 1 connection, sequential requests)
#   * resident memory (VmRSS) of both exporters after the load
#   * S3 listing throughput (objects/s) against the local S3 server (versitygw)
#
#   scripts/bench/exporter.sh [BUILD_DIR] [SECONDS_PER_ENDPOINT]
# BUILD_DIR defaults to build-exporter (must contain exporter/pulse-exporter). Prints a markdown
# section for docs/benchmarks.md. Starts its own servers and stops them on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build-exporter}"
duration="${2:-10}"
exporter="$build/exporter/pulse-exporter"
[[ -x "$exporter" ]] || { echo "no $exporter; build the pulse-exporter target first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing (scripts/setup.sh)" >&2; exit 1; }
peer=/usr/bin/prometheus-postgres-exporter
testenv="$root/scripts/testenv/testenv.sh"
state="$(mktemp -d /tmp/pulse-bench-exporter.XXXXXX)"
chmod 755 "$state"  # the servers run as their own users (rabbitmq, postgres)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for s in rabbitmq postgres s3; do "$testenv" stop "$s" "$state" >/dev/null 2>&1 || true; done
  rm -rf "$state"
}
trap cleanup EXIT
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
envval() { sed -n "s/^$2=//p" "$state/$1/env"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

log "starting rabbitmq and postgres"
"$testenv" start rabbitmq "$state" 2>"$state/start.log" || { cat "$state/start.log" >&2; exit 1; }
"$testenv" start postgres "$state" 2>"$state/start.log" || { cat "$state/start.log" >&2; exit 1; }
mgmt="$(envval rabbitmq MGMT_URL)"; prom="$(envval rabbitmq PROM_URL)"
pgport="$(envval postgres PORT)"; pgbin="$(envval postgres BIN_DIR)"

log "creating 1,000 queues (100 dead-lettering into one DLQ) and 10 databases"
python3 - "$state/defs.json" <<'PY'
import json, sys
queues = [{"name": f"bench.q.{i}", "vhost": "/", "durable": True, "auto_delete": False,
           "arguments": ({"x-dead-letter-exchange": "bench.dlx"} if i % 10 == 0 else {})}
          for i in range(999)]
queues.append({"name": "bench.dlq", "vhost": "/", "durable": True, "auto_delete": False, "arguments": {}})
defs = {"queues": queues,
        "exchanges": [{"name": "bench.dlx", "vhost": "/", "type": "fanout", "durable": True,
                       "auto_delete": False, "internal": False, "arguments": {}}],
        "bindings": [{"source": "bench.dlx", "vhost": "/", "destination": "bench.dlq",
                      "destination_type": "queue", "routing_key": "", "arguments": {}}]}
json.dump(defs, open(sys.argv[1], "w"))
PY
curl -fsS -u guest:guest -H 'content-type: application/json' -X POST "$mgmt/api/definitions" \
  --data-binary "@$state/defs.json" >/dev/null
for i in $(seq 0 9); do
  "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -X -q -c "CREATE DATABASE bench_$i" >/dev/null
  "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -X -q -d "bench_$i" \
    -c "CREATE TABLE t AS SELECT g AS id, repeat('x', 100) AS p FROM generate_series(1, $((1000 * (i + 1)))) g" >/dev/null
done

port="$(free_port)"
cat >"$state/exporter.yaml" <<YAML
defaults: {interval: 15s, timeout: 10s}
targets:
  - {name: rabbitmq, type: rabbitmq, rabbitmq: {url: "$mgmt", username: guest, password: {env: BENCH_RABBIT_PASSWORD}}}
  - {name: postgres, type: postgresql, postgresql: {host: 127.0.0.1, port: $pgport, user: postgres, database_size_interval: 5m}}
YAML
BENCH_RABBIT_PASSWORD=guest "$exporter" --config "$state/exporter.yaml" --listen "127.0.0.1:$port" \
  2>"$state/exporter.log" &
pids+=($!); exporter_pid=$!
peer_port="$(free_port)"
DATA_SOURCE_NAME="postgresql://postgres@127.0.0.1:$pgport/postgres?sslmode=disable" \
  "$peer" --web.listen-address="127.0.0.1:$peer_port" 2>"$state/peer.log" &
pids+=($!); peer_pid=$!

for _ in $(seq 1 100); do
  body="$(curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null || true)"
  if grep -q 'pulse_rabbitmq_queues{target="rabbitmq"} 1000' <<<"$body" &&
     grep -q 'pulse_exporter_target_up{target="postgres",type="postgresql"} 1' <<<"$body"; then break; fi
  sleep 0.3
done
grep -q 'pulse_rabbitmq_queues{target="rabbitmq"} 1000' <<<"$body" || { echo "exporter never saw 1000 queues" >&2; cat "$state/exporter.log" >&2; exit 1; }
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$peer_port/metrics" -o /dev/null 2>/dev/null && break; sleep 0.3; done

# wrk prints "50%  1.23ms" lines with --latency; normalise to milliseconds.
measure() {
  local url="$1" out
  out="$(wrk -t1 -c1 -d"${duration}s" --latency "$url" 2>&1)"
  local p50 p99 reqs
  p50="$(awk '$1=="50%"{print $2}' <<<"$out")"; p99="$(awk '$1=="99%"{print $2}' <<<"$out")"
  reqs="$(awk '/Requests\/sec/{print $2}' <<<"$out")"
  printf '%s %s %s\n' "$(to_ms "$p50")" "$(to_ms "$p99")" "$reqs"
}
to_ms() {
  python3 -c 'import re,sys; v=sys.argv[1]; m=re.match(r"([0-9.]+)(us|ms|s)$", v); n=float(m.group(1)); print(round(n/1000 if m.group(2)=="us" else n*1000 if m.group(2)=="s" else n, 3))' "$1"
}
# RSS, and in brackets its anonymous part (heap/stacks; the rest is shared library pages).
rss_mb() { awk '/VmRSS/{r=$2} /RssAnon/{a=$2} END{printf "%.1f (anon %.1f)", r/1024, a/1024}' "/proc/$1/status"; }
bytes_of() { curl -fsS "$1" | wc -c; }

log "measuring /metrics for ${duration}s each"
read -r e50 e99 erps < <(measure "http://127.0.0.1:$port/metrics")
read -r p50 p99 prps < <(measure "http://127.0.0.1:$peer_port/metrics")
read -r r50 r99 rrps < <(measure "$prom/metrics/per-object")
e_rss="$(rss_mb "$exporter_pid")"; p_rss="$(rss_mb "$peer_pid")"
e_bytes="$(bytes_of "http://127.0.0.1:$port/metrics")"; p_bytes="$(bytes_of "http://127.0.0.1:$peer_port/metrics")"
r_bytes="$(bytes_of "$prom/metrics/per-object")"
kill "$exporter_pid" "$peer_pid" 2>/dev/null || true

s3_line="| S3 listing | not measured (versitygw not built) | | |"
if "$testenv" start s3 "$state" >/dev/null 2>&1; then
  endpoint="$(envval s3 ENDPOINT)"; ak="$(envval s3 ACCESS_KEY)"; sk="$(envval s3 SECRET_KEY)"
  objects=5000
  log "uploading $objects objects to the local S3 server"
  sig=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$ak:$sk" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
  curl -fsS "${sig[@]}" -X PUT "$endpoint/pulse-bench/" -o /dev/null
  seq 1 "$objects" | xargs -P 4 -I{} curl -fsS "${sig[@]}" -X PUT --data-binary "object {}" \
    "$endpoint/pulse-bench/obj/{}" -o /dev/null
  s3port="$(free_port)"
  cat >"$state/s3.yaml" <<YAML
targets:
  - {name: s3, type: s3, interval: 2s, timeout: 30s, s3: {endpoint: "$endpoint", region: us-east-1, access_key_id: {env: BENCH_AK}, secret_access_key: {env: BENCH_SK}, buckets: [{name: pulse-bench}]}}
YAML
  BENCH_AK="$ak" BENCH_SK="$sk" "$exporter" --config "$state/s3.yaml" --listen "127.0.0.1:$s3port" 2>"$state/s3.log" &
  pids+=($!); s3pid=$!
  durations=()
  last=0
  for _ in $(seq 1 200); do
    body="$(curl -fsS "http://127.0.0.1:$s3port/metrics" 2>/dev/null || true)"
    n="$(sed -n 's/^pulse_exporter_refreshes_total{target="s3",type="s3"} //p' <<<"$body")"
    if [[ -n "$n" && "$n" != "$last" ]] && grep -q 'pulse_exporter_target_up{target="s3",type="s3"} 1' <<<"$body"; then
      durations+=("$(sed -n 's/^pulse_exporter_refresh_duration_seconds{target="s3",type="s3"} //p' <<<"$body")")
      last="$n"
    fi
    (( ${#durations[@]} >= 5 )) && break
    sleep 0.2
  done
  counted="$(sed -n 's/^pulse_s3_bucket_objects{target="s3",bucket="pulse-bench",prefix=""} //p' <<<"$body")"
  kill "$s3pid" 2>/dev/null || true
  median="$(printf '%s\n' "${durations[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')"
  rate="$(python3 -c "print(round($objects / $median))")"
  s3_line="| S3 listing, $objects objects (5 pages of 1,000), median of ${#durations[@]} refreshes | $(python3 -c "print(round($median*1000,1))") ms per refresh | $rate objects/s | counted $counted |"
fi

cat <<MD
### Run $(date -u +%Y-%m-%dT%H:%MZ) — \`scripts/bench/exporter.sh $build $duration\`
Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1) (shared with other work).
wrk -t1 -c1 -d${duration}s --latency per endpoint, one after another; 1,000 queues, 10 databases.

| endpoint | p50 ms | p99 ms | req/s | body bytes | RSS MB |
|---|---|---|---|---|---|
| pulse-exporter /metrics (1,000 queues + 10 databases) | $e50 | $e99 | $erps | $e_bytes | $e_rss |
| prometheus-postgres-exporter /metrics (same 10 databases) | $p50 | $p99 | $prps | $p_bytes | $p_rss |
| RabbitMQ /metrics/per-object (same 1,000 queues) | $r50 | $r99 | $rrps | $r_bytes | (in the broker) |

| S3 | time | throughput | check |
|---|---|---|---|
$s3_line
MD
