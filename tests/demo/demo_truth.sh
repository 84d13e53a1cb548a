#!/usr/bin/env bash
# The demo's seed metrics, as Prometheus has them, against an independent truth: each server's
# own figures (PostgreSQL's pg_database_size() and pg_stat_activity, RabbitMQ's management API,
# the S3 server's files on disk), the load generator's own counts (per status and per user) and
# the latency the services inject.
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

# ---- the heaviest users: the services' top-K against the load generator's per-user counts ---
# Each service exports its top-K users (pulse-red, K = 100 as the demo runs them) with the
# bound docs/instrumentation.md states: every user with more than 2N/K requests is exported, and
# an exported user's count is within [true - 2N/K, true] (N = requests the service recorded).
# The load generator's stats file has each target's 20 heaviest users with their exact counts;
# the generator is paused, so both sides are final once the last scrape is in (the equalities
# above waited for it).
top_k=100
for api in shop crm mes; do
  sel="pulse_apimonitor=\"default/$api\""
  n="$(prom "sum(http_request_duration_seconds_count{$sel})")"
  slack="$(awk -v n="${n:-0}" -v k="$top_k" 'BEGIN { printf "%d", 2 * n / k }')"
  checked=0 problems=""
  [[ "$(stats ".targets.$api.top_users | length")" -ge 10 ]] ||
    problems+=" the load generator's stats file lists fewer than 10 users for $api;"
  while IFS=$'\t' read -r user truth; do
    got="$(prom "sum(http_requests_by_user_total{$sel,user=\"$user\"})")"
    if [[ -z "$got" ]]; then
      # Only users above 2N/K are guaranteed to be exported.
      ((truth > slack)) && problems+=" $user (true $truth > 2N/K = $slack) not exported;"
      continue
    fi
    checked=$((checked + 1))
    awk -v g="$got" -v t="$truth" -v s="$slack" 'BEGIN { exit !(g <= t && g >= t - s) }' ||
      problems+=" $user exported $got, true $truth (allowed [$((truth - slack)), $truth]);"
  done < <(stats ".targets.$api.top_users[:10][] | @tsv")
  if [[ -z "$problems" && "$checked" -ge 5 ]]; then
    ok "$api top users: $checked of the load generator's 10 heaviest exported within [true - 2N/K, true] (N $n, 2N/K $slack; heaviest $(stats ".targets.$api.top_users[0] | join(\" \")"))"
  else
    bad "$api top users (N ${n:-none}, 2N/K $slack, $checked checked):${problems:- fewer than 5 of the 10 heaviest exported}"
  fi
done

# ---- latency: the histograms against the latency each service injects --------------------
# Every request the services route sleeps --latency-ms plus a uniform whole 0..--jitter-ms
# before it is handled (examples/common: FaultInjector), so the recorded duration is at least
# that delay: at each bucket bound b the share of requests at most b can be no larger than the
# delay's own distribution gives (the check that fails when no latency is injected), and the
# handling on top of the delay is short: 90% finish within delay + 20 ms. The flags are read
# from the running services' command lines.
for api in shop crm mes; do
  pid="$(de "${api^^}_PID")"
  flag() { tr '\0' '\n' <"/proc/$pid/cmdline" | awk -v f="--$1" 'prev == f { print; exit } { prev = $0 }'; }
  lat="$(flag latency-ms)" jit="$(flag jitter-ms)"
  lat="${lat:-0}" jit="${jit:-0}"
  buckets="$(curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/query" --data-urlencode \
    "query=sum by (le) (http_request_duration_seconds_bucket{pulse_apimonitor=\"default/$api\",route!=\"__unmatched__\"})" |
    jq -r '.data.result[] | [.metric.le, .value[1]] | @tsv')"
  verdict="$(awk -F'\t' -v L="$lat" -v J="$jit" '
    { le[NR] = $1; c[NR] = $2; if ($1 == "+Inf") total = $2 }
    END {
      if (total <= 0) { print "FAIL no requests recorded"; exit }
      for (i = 1; i <= NR; i++) {
        if (le[i] == "+Inf") continue
        b = le[i] * 1000; share = c[i] / total
        # P(L + X <= b), X uniform on the whole numbers 0..J
        x = int(b - L + 1e-9); p = (x < 0) ? 0 : ((x >= J) ? 1 : (x + 1) / (J + 1))
        if (share > p + 0.01) { printf "FAIL %.1f%% of requests took <= %g ms, but the injected delay allows only %.1f%%\n", 100 * share, b, 100 * p; exit }
        if (b >= L + J + 20 && !done) { done = 1; if (share < 0.9) { printf "FAIL only %.1f%% finished within %g ms (delay %d..%d ms)\n", 100 * share, b, L, L + J; exit } }
      }
      print "OK"
    }' <<<"$(sort -g <<<"$buckets")")"
  p50="$(prom "histogram_quantile(0.5, sum by (le) (http_request_duration_seconds_bucket{pulse_apimonitor=\"default/$api\"}))")"
  p99="$(prom "histogram_quantile(0.99, sum by (le) (http_request_duration_seconds_bucket{pulse_apimonitor=\"default/$api\"}))")"
  what="injected ${lat}..$((lat + jit)) ms (median $(awk -v l="$lat" -v j="$jit" 'BEGIN { print l + j / 2 }') ms); histogram p50 ${p50:-none} s, p99 ${p99:-none} s"
  if [[ "$verdict" == OK ]]; then
    ok "$api latency consistent with the $what"
  else
    bad "$api latency: ${verdict#FAIL }; $what"
  fi
done

echo "truth: $passed passed, $failed failed"
((failed == 0))
