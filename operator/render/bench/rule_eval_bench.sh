#!/usr/bin/env bash
# Prometheus' own rule evaluation cost, rules of the old shape (one rule file of ~30 rules per
# ApiMonitor) against the shared shape (docs/rendering.md, "Rule catalogue"), for N monitors that
# each have an availability and a latency SLO (99.9 %, 99 % within 250ms, 30d: the "alerts" golden
# case's slo-api).
#
#   operator/render/bench/rule_eval_bench.sh [N=2000] [SECONDS=240] [OLD_REV=2754eb1]
#   SHAPES="new" ... runs only one of them (default "old new").
#
# A Python target serves the series N monitors' targets would have (pulse_apimonitor and
# pulse_red_mapping as the scrape config adds them, honor_labels keeps them): per monitor 2
# routes x 2 statuses x (count + 7 buckets) + 3 per-user counters = 35 series. Prometheus
# (Debian's, 2.42) scrapes it every 15s and evaluates the rules every 15s, once with the old
# rules (the golden file of OLD_REV, with team/slo-api replaced per monitor) and once with the
# current golden shared files plus the current per-monitor file, each for SECONDS. Reports the
# mean over the last 2 minutes of sum(prometheus_rule_group_last_duration_seconds) (the time one
# evaluation round of every group takes), the slowest group, missed evaluation iterations, the
# number of groups and rules, Prometheus' CPU and resident memory.
# Caveat: with minutes of data the 1d/3d windows read minutes, not days, of samples.
set -euo pipefail
N=${1:-2000}
SECONDS_PER_RUN=${2:-240}
OLD_REV=${3:-2754eb1}
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
GOLDEN=$SRC/tests/render/golden/alerts/rules
WORK=$(mktemp -d /tmp/pulse-rule-eval.XXXXXX)
PROM_PORT=${PROM_PORT:-19390}
TARGET_PORT=${TARGET_PORT:-19391}
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

cat >"$WORK/target.py" <<'PY'
import http.server, sys, time
n, port = int(sys.argv[1]), int(sys.argv[2])
start = time.time()
les = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
share = [0.2, 0.5, 0.97, 0.99, 0.995, 0.999, 1.0]
lines = []  # (template, per-second rate)
for i in range(n):
    base = 'pulse_apimonitor="bench/api-%d",pulse_red_mapping="default"' % i
    for route in ("/a", "/b"):
        for status, rps in (("200", 10.0), ("500", 0.01 if i % 50 else 1.0)):
            lab = '%s,method="GET",route="%s",status="%s"' % (base, route, status)
            lines.append(("http_request_duration_seconds_count{%s} " % lab, rps))
            for le, s in zip(les, share):
                lines.append(('http_request_duration_seconds_bucket{%s,le="%s"} ' % (lab, le), rps * s))
    for user, rps in (("alice", 3.0), ("bob", 1.0), ("__other__", 6.0)):
        lines.append(('http_requests_by_user_total{%s,user="%s"} ' % (base, user), rps))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        t = time.time() - start
        body = "".join("%s%.3f\n" % (l, r * t) for l, r in lines).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY

# Per-monitor copies of a golden file: team/slo-api -> bench/api-i (groups concatenated).
per_monitor() {  # $1 = file text on stdin, writes groups of N monitors
  python3 -c '
import sys
n = int(sys.argv[1]); text = sys.stdin.read()
body = text.split("groups:\n", 1)[1]
sys.stdout.write("groups:\n" + "".join(body.replace("team/slo-api", "bench/api-%d" % i) for i in range(n)))
' "$N"
}
mkdir -p "$WORK/old" "$WORK/new"
git -C "$SRC" show "$OLD_REV:tests/render/golden/alerts/rules/apimonitor_team_slo-api.yaml" |
  per_monitor >"$WORK/old/monitors.yaml"
per_monitor <"$GOLDEN/apimonitor_team_slo-api.yaml" >"$WORK/new/monitors.yaml"
cp "$GOLDEN/apimonitors-red-default.yaml" "$GOLDEN/apimonitors-slo.yaml" \
   "$GOLDEN/apimonitors-alerts.yaml" "$WORK/new/"

python3 "$WORK/target.py" "$N" "$TARGET_PORT" &
sleep 2

query() {
  curl -sG "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "n/a")'
}

for shape in ${SHAPES:-old new}; do
  cat >"$WORK/$shape/prometheus.yml" <<YML
global: {scrape_interval: 15s, evaluation_interval: 15s}
rule_files: ["$WORK/$shape/*.yaml"]
scrape_configs:
  - job_name: target
    honor_labels: true
    scrape_timeout: 10s
    static_configs: [{targets: ["127.0.0.1:$TARGET_PORT"]}]
  - job_name: prometheus
    static_configs: [{targets: ["127.0.0.1:$PROM_PORT"]}]
YML
  prometheus --config.file="$WORK/$shape/prometheus.yml" --storage.tsdb.path="$WORK/$shape/data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$WORK/$shape/log" 2>&1 &
  pid=$!
  sleep "$SECONDS_PER_RUN"
  bytes=$(cat "$WORK/$shape"/*.yaml | wc -c)
  echo "$shape: N=$N rule bytes=$bytes" \
    "groups=$(query 'count(prometheus_rule_group_last_duration_seconds)')" \
    "rules=$(query 'sum(prometheus_rule_group_rules)')" \
    "eval_round_s=$(query 'avg_over_time(sum(prometheus_rule_group_last_duration_seconds)[2m:15s])')" \
    "slowest_group_s=$(query 'max(prometheus_rule_group_last_duration_seconds)')" \
    "missed_iterations=$(query 'sum(prometheus_rule_group_iterations_missed_total)')" \
    "eval_s_per_s=$(query 'sum(rate(prometheus_rule_group_duration_seconds_sum[2m]))')" \
    "prometheus_cpu=$(query 'rate(process_cpu_seconds_total{job="prometheus"}[2m])')" \
    "series=$(query 'prometheus_tsdb_head_series')" \
    "rss_mb=$(query 'process_resident_memory_bytes{job="prometheus"} / 1e6')"
  # An overloaded Prometheus waits for its backlog of evaluations before exiting.
  kill "$pid"
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
