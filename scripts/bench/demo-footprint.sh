#!/usr/bin/env bash
# The demo's own footprint: CPU and memory of pulse's processes — pulse-operator (run),
# pulse-operator config-sync and each pulse-exporter — while scripts/demo.sh runs with its load
# (60 requests/s over the three APIs, every seed metric scraped).
#
#   scripts/bench/demo-footprint.sh [BUILD_DIR] [SECONDS]     defaults: build, 60
#
# Starts `scripts/demo.sh --no-setup --no-build` on BUILD_DIR's binaries in a state dir of its
# own, waits until its table of the 31 seed metrics is complete (everything discovered, scraped,
# exporting), then samples each process's /proc/PID/stat (utime + stime) and /proc/PID/status
# (VmRSS, VmHWM) every second for SECONDS, stops the demo (SIGTERM, which stops all it started)
# and prints a markdown table: CPU seconds used in the window, the average CPU share of one
# core, RSS average and maximum over the samples, and the peak RSS (VmHWM) since the process
# started. Exit 1 when the demo did not come up or a process vanished while sampled.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
seconds="${2:-60}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 5 ]] || { echo "demo-footprint: SECONDS must be a number >= 5" >&2; exit 2; }
state="$(mktemp -d /tmp/pulse-demo-footprint.XXXXXX)"
log="$state.log"
demo_pid=""
stop_demo() {
  if [[ -n "$demo_pid" ]] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
  rm -f "$log"
}
trap stop_demo EXIT

PULSE_BUILD_DIR="$build" PULSE_DEMO_STATE="$state" "$root/scripts/demo.sh" --no-setup --no-build >"$log" 2>&1 &
demo_pid=$!
# The demo prints "refreshing every" once its first complete table is out (or the deadline
# passed: then the table says which metrics are missing, and we stop).
for _ in $(seq 1 600); do
  grep -q 'refreshing every' "$log" && break
  kill -0 "$demo_pid" 2>/dev/null || { tail -n 30 "$log" >&2; echo "demo-footprint: the demo exited" >&2; exit 1; }
  sleep 1
done
grep -q '^31 of 31 seed metrics have a value' "$log" ||
  { tail -n 40 "$log" >&2; echo "demo-footprint: the demo did not get every seed metric" >&2; exit 1; }

# name<TAB>pid of each process measured.
procs="$(
  printf 'pulse-operator run\t%s\n' "$(cat "$state/pulse/operator.pid")"
  printf 'pulse-operator config-sync\t%s\n' "$(cat "$state/pulse/pids/config-sync")"
  for f in "$state"/exporters/*.pid; do
    printf 'pulse-exporter %s\t%s\n' "$(basename "$f" .pid)" "$(cat "$f")"
  done
)"
ticks="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }  # utime + stime
status_kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/status"; }

declare -A t0 rss_sum rss_max
while IFS=$'\t' read -r name pid; do
  t0[$name]="$(cpu_ticks "$pid")"; rss_sum[$name]=0; rss_max[$name]=0
done <<<"$procs"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)" load0="$(cut -d' ' -f1 /proc/loadavg)"
for ((i = 0; i < seconds; i++)); do
  while IFS=$'\t' read -r name pid; do
    r="$(status_kib VmRSS "$pid")" || { echo "demo-footprint: $name ($pid) vanished" >&2; exit 1; }
    rss_sum[$name]=$((rss_sum[$name] + r))
    if ((r > rss_max[$name])); then rss_max[$name]=$r; fi
  done <<<"$procs"
  sleep 1
done
echo "Demo footprint, $started, ${seconds} s sampled once a second while \`scripts/demo.sh\` ran"
echo "(60 requests/s over the three APIs, 3 ApiMonitors, 4 Exporters); $(nproc) cores, load average $load0 → $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "| process | CPU s in ${seconds} s | CPU % of one core | RSS avg MiB | RSS max MiB | peak RSS (VmHWM) MiB |"
echo "|---|---|---|---|---|---|"
while IFS=$'\t' read -r name pid; do
  cpu="$(awk -v a="${t0[$name]}" -v b="$(cpu_ticks "$pid")" -v t="$ticks" 'BEGIN { printf "%.2f", (b - a) / t }')"
  awk -v n="$name" -v c="$cpu" -v s="$seconds" -v sum="${rss_sum[$name]}" -v max="${rss_max[$name]}" \
      -v hwm="$(status_kib VmHWM "$pid")" \
    'BEGIN { printf "| %s | %s | %.1f | %.1f | %.1f | %.1f |\n", n, c, 100 * c / s, sum / s / 1024, max / 1024, hwm / 1024 }'
done <<<"$procs"
