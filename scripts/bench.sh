#!/usr/bin/env bash
# Runs every pulse benchmark for real (the CTest "benchmark" label only checks they run):
# the Google Benchmark programs in BUILD_DIR, then the end-to-end scripts under scripts/bench/
# (which start their own servers). Results go to stdout and, as JSON, to OUT_DIR; copy the
# numbers with the machine into docs/benchmarks.md.
#   scripts/bench.sh [BUILD_DIR] [OUT_DIR]      defaults: build, build/bench-results
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$here/build}" && pwd)"
out="${2:-$build/bench-results}"
mkdir -p "$out"
log() { printf '\n[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
log "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
ninja -C "$build" >/dev/null
while read -r bench; do
  name="$(basename "$bench")"
  log "$name"
  "$bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/$name.json" --benchmark_out_format=json
done < <(ctest --test-dir "$build" -L benchmark -N -V | sed -n 's/^[0-9]*: Test command: \([^ ]*\).*/\1/p' | sort -u)
log "end-to-end: exporter vs prometheus-postgres-exporter and rabbitmq_prometheus"
"$here/scripts/bench/exporter.sh" "$build" | tee "$out/exporter.md"
log "end-to-end: informer vs kubectl --watch"
"$here/scripts/bench/kube-informer-vs-kubectl.sh" "$build" | tee "$out/kube.md"
log "results in $out"
