#!/usr/bin/env bash
# The demo's seed metrics, as Prometheus has them, against an independent truth: each server's
# own figures (PostgreSQL's pg_database_size() and pg_stat_activity, RabbitMQ's management API,
# the S3 server's files on disk) and the load generator's own counts.
# Run by `scripts/demo.sh --once --check tests/demo/demo_truth.sh` while the demo runs; the
# environment it gets: DEMO_STATE (the demo's state dir), PROMETHEUS_URL, KUBECONFIG.
#
# Rates are compared while the load runs. For the equalities the load generator is paused
# (SIGUSR1: requests in flight complete and are counted, its stats file is still rewritten every
# second): the system then stops changing, and each figure must become exactly equal once the
# exporter's next refresh has been scraped (up to a deadline). SIGUSR2 resumes it at the end.
set -uo pipefail
: "${DEMO_STATE:?run by scripts/demo.sh --check}" "${PROMETHEUS_URL:?}"
de() { sed -n "s/^$1=//p" "$DEMO_STATE/demo.env"; }
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "truth ok:   $*"; }
bad() { failed=$((failed + 1)); echo "truth FAIL: $*"; }

# prom QUERY: the first value of an instant query, or empty.
prom() {
  curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$1" |
    jq -r '.data.result[0].value[1] // empty'
}
psql_at() {  # psql_at PORT DB SQL
  "$(de PG_BIN_DIR)/psql" -qtAX -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3"
}
stats() { jq -r "$1" "$(de LOADGEN_STATS)"; }

# ---- while the load runs: rates within 10% of what the generator achieved -------------------
# rate(...[1m]) divides by the whole minute, so it reads low until the target has been scraped
# for a minute: wait for 5 samples (15 s apart) in the last 75 s first.
for api in shop crm mes; do
  for _ in $(seq 1 40); do
    n="$(prom "count_over_time(up{pulse_apimonitor=\"default/$api\"}[75s])")"
    [[ -n "$n" && "$n" -ge 5 ]] && break
    sleep 3
  done
done
for api in shop crm mes; do
  got="$(prom "sum(rate(http_request_duration_seconds_count{pulse_apimonitor=\"default/$api\"}[1m]))")"
  want="$(stats ".targets.$api.sent / .elapsed_s")"
  if [[ -n "$got" ]] && awk -v g="$got" -v w="$want" 'BEGIN { exit !(w > 0 && g >= 0.9 * w && g <= 1.1 * w) }'; then
    ok "$api RPS $got within 10% of the load generator's $want"
  else
    bad "$api RPS: Prometheus ${got:-none}, load generator $want (more than 10% apart)"
  fi
done

# ---- CPU and memory of each API against /proc/<pid> ------------------------------------------
page_kib=$(($(getconf PAGESIZE) / 1024))
for api in shop crm mes; do
  pid="$(de "${api^^}_PID")"
  got="$(prom "process_resident_memory_bytes{pulse_apimonitor=\"default/$api\"}")"
  want=$(($(awk '{ print $2 }' "/proc/$pid/statm") * page_kib * 1024))
  # The scraped value is up to one interval old; a steady service's RSS moves by far less than 10%.
  if [[ -n "$got" ]] && awk -v g="$got" -v w="$want" 'BEGIN { exit !(g >= 0.9 * w && g <= 1.1 * w) }'; then
    ok "$api resident memory $got B ≈ /proc/$pid $want B"
  else
    bad "$api resident memory: Prometheus ${got:-none} B, /proc/$pid/statm $want B"
  fi
done

ticks="$(getconf CLK_TCK)"
for api in shop crm mes; do
  pid="$(de "${api^^}_PID")"
  got="$(prom "process_cpu_seconds_total{pulse_apimonitor=\"default/$api\"}")"
  rate="$(prom "rate(process_cpu_seconds_total{pulse_apimonitor=\"default/$api\"}[1m])")"
  want="$(awk -v t="$ticks" '{ sub(/.*\) /, ""); print ($12 + $13) / t }' "/proc/$pid/stat")"
  # The scraped total is at most one 15 s interval (plus a margin) behind /proc's total now.
  if [[ -n "$got" ]] && awk -v g="$got" -v w="$want" -v r="${rate:-0}" \
       'BEGIN { exit !(g <= w + 0.02 && w - g <= 20 * r + 0.05) }'; then
    ok "$api CPU seconds $got, /proc/$pid $want (at ${rate} cores, within a scrape interval)"
  else
    bad "$api CPU seconds: Prometheus ${got:-none}, /proc/$pid/stat $want, rate ${rate:-none}"
  fi
done

# ---- the load paused: exact equalities -------------------------------------------------------
loadgen_pid="$(cat "$DEMO_STATE/demo/loadgen.pid")"
kill -USR1 "$loadgen_pid"
trap 'kill -USR2 "$loadgen_pid" 2>/dev/null' EXIT
echo "truth: load generator paused; waiting for every figure to settle (up to 150 s)"

# settle NAME PROMQL TRUTH-COMMAND: passes when both agree exactly (re-read every 3 s).
settle() {
  local name="$1" q="$2" got want deadline=$((SECONDS + 150))
  while :; do
    got="$(prom "$q")"; want="$(eval "$3")"
    # Prometheus prints integers in floats as such ("1234"), big ones in exponent form.
    if [[ -n "$got" && -n "$want" ]] && awk -v g="$got" -v w="$want" 'BEGIN { exit !(g + 0 == w + 0) }'; then
      ok "$name: $got = $want"; return
    fi
    if ((SECONDS >= deadline)); then bad "$name: Prometheus ${got:-none}, truth ${want:-none}"; return; fi
    sleep 3
  done
}

shop_port="$(de SHOP_DB_PORT)" mes_port="$(de MES_DB_PORT)"
settle "shop db size (seed #23) = pg_database_size('shop')" \
  'sum(pulse_postgresql_database_size_bytes{pulse_exporter="default/shop-db"})' \
  "psql_at $shop_port shop \"SELECT pg_database_size('shop')\""
settle "MES db size (seed #24) = pg_database_size('mes')" \
  'sum(pulse_postgresql_database_size_bytes{pulse_exporter="default/mes-db"})' \
  "psql_at $mes_port mes \"SELECT pg_database_size('mes')\""
# Client backends except this query's own session (the exporter's session is one of them).
conn_sql="SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
settle "shop db connections (seed #17) = pg_stat_activity" \
  'sum(pulse_postgresql_connections{pulse_exporter="default/shop-db"})' "psql_at $shop_port postgres \"$conn_sql\""
settle "MES db connections (seed #18) = pg_stat_activity" \
  'sum(pulse_postgresql_connections{pulse_exporter="default/mes-db"})' "psql_at $mes_port postgres \"$conn_sql\""

mgmt="$(de RABBITMQ_MGMT_URL)"
settle "dead-letter messages (seed #1) = RabbitMQ's shop.orders.dlq messages" \
  'sum(pulse_rabbitmq_dead_letter_messages{pulse_exporter="default/rabbitmq"})' \
  "curl -fsS -u guest:guest '$mgmt/api/queues/%2F/shop.orders.dlq' | jq -r .messages"
settle "in-flight messages (seed #2) = RabbitMQ's unacknowledged messages" \
  'sum(pulse_rabbitmq_messages_unacked{pulse_exporter="default/rabbitmq"})' \
  "curl -fsS -u guest:guest '$mgmt/api/queues' | jq -r '[.[].messages_unacknowledged // 0] | add'"

# The S3 server (versitygw, posix backend) keeps each object as a file under data/<bucket>/.
bucket_dir="$DEMO_STATE/s3/data/shop-invoices"
settle "S3 bytes (seed #22) = the invoices the shop uploaded" \
  'sum(pulse_s3_bucket_size_bytes{pulse_exporter="default/s3"})' \
  "find '$bucket_dir' -type f -printf '%s\n' | awk '{ s += \$1 } END { print s + 0 }'"
settle "S3 objects = the invoices the shop uploaded" \
  'sum(pulse_s3_bucket_objects{pulse_exporter="default/s3"})' \
  "find '$bucket_dir' -type f | wc -l"

for api in shop crm mes; do
  settle "$api HTTP 500s = the errors the load generator received" \
    "sum(http_request_duration_seconds_count{pulse_apimonitor=\"default/$api\",status=\"500\"})" \
    "stats '.targets.$api.status[\"500\"] // 0'"
  settle "$api HTTP 200s = the 200s the load generator received" \
    "sum(http_request_duration_seconds_count{pulse_apimonitor=\"default/$api\",status=\"200\"})" \
    "stats '.targets.$api.status[\"200\"] // 0'"
done

echo "truth: $passed passed, $failed failed"
((failed == 0))
