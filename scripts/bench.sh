#!/usr/bin/env bash
# Runs every pulse benchmark for real (the CTest "benchmark" label only checks they run): the
# Google Benchmark programs in BUILD_DIR, then the end-to-end scripts under scripts/bench/ (each
# starts its own servers): the exporter and /metrics serving against their peers, the informer
# against kubectl, pulse-red's overhead in a demo service, the operator's apply → loaded
# latency, and the demo's own footprint. Raw results go to OUT_DIR (JSON and each script's
# markdown); then the section between the "bench.sh" markers of docs/benchmarks.md is replaced
# with this run's report: machine, date, commit, each figure with its peer side by side as a
# ratio where one runs here, the goals each meets or misses, and every script's own tables.
# The hand-written sections around it (method, analysis, earlier runs) are left as they are.
#   scripts/bench.sh [BUILD_DIR] [OUT_DIR]      defaults: build, BUILD_DIR/bench-results
#   BENCH_ONLY="demo-footprint exporter"        run only these end-to-end scripts (and no
#                                               Google Benchmark program unless "google" is
#                                               listed); the report then has only those
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$here/build}" && pwd)"
out="${2:-$build/bench-results}"
only=" ${BENCH_ONLY:-google exporter kube red-overhead serve operator-latency demo-footprint} "
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.md
log() { printf '\n[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
wanted() { [[ "$only" == *" $1 "* ]]; }
machine="$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), $(gcc -dumpfullversion 2>/dev/null | sed 's/^/gcc /')"
log "machine: $machine; load $(cut -d' ' -f1-3 /proc/loadavg)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u +%Y-%m-%dT%H:%MZ)"
ninja -C "$build" >/dev/null
if wanted google; then
  while read -r bench; do
    name="$(basename "$bench")"
    log "$name"
    "$bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
      --benchmark_out="$out/$name.json" --benchmark_out_format=json
  done < <(ctest --test-dir "$build" -L benchmark -N -V | sed -n 's/^[0-9]*: Test command: \([^ ]*\).*/\1/p' | sort -u)
fi
# run NAME TITLE CMD...: one end-to-end script; its markdown goes to OUT_DIR/NAME.md. A script
# that fails is reported as failed in the report, and the others still run.
failed=()
run() {
  local name="$1" title="$2"; shift 2
  wanted "$name" || return 0
  log "end-to-end: $title"
  { echo "### $title"; echo; echo "\`${*#"$here/"}\`"; echo; } >"$out/$name.md"
  if ! "$@" | tee -a "$out/$name.md"; then
    failed+=("$name")
    echo "**This script failed in this run; see its output above.**" >>"$out/$name.md"
  fi
}
run exporter "pulse-exporter vs prometheus-postgres-exporter and rabbitmq_prometheus" \
  "$here/scripts/bench/exporter.sh" "$build"
run kube "informer vs kubectl --watch" "$here/scripts/bench/kube-informer-vs-kubectl.sh" "$build"
run red-overhead "pulse-red overhead in a demo service (wrk)" "$here/scripts/bench/red-overhead.sh" "$build"
run serve "/metrics serving, pulse-exporter vs prometheus-postgres-exporter" "$here/scripts/bench/serve.sh" "$build"
run operator-latency "operator: apply → loaded, burst, start-up" \
  "$here/scripts/bench/operator-latency.sh" --build "$build"
run demo-footprint "the demo's own footprint" "$here/scripts/bench/demo-footprint.sh" "$build" 60

log "writing the report into docs/benchmarks.md"
python3 - "$out" "$here/docs/benchmarks.md" "$machine" "$started" "$load_before" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  "${failed[*]:-}" <<'PY'
import glob, json, os, sys

out, doc, machine, started, load0, load1, commit, failed = sys.argv[1:9]
BEGIN, END = "<!-- bench.sh: begin (generated, do not edit) -->", "<!-- bench.sh: end -->"

# Google Benchmark medians: run name → (cpu, real) in ns.
med = {}
for f in sorted(glob.glob(os.path.join(out, "*.json"))):
    for b in json.load(open(f)).get("benchmarks", []):
        if b.get("aggregate_name", "median") != "median":
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        med[b.get("run_name", b["name"])] = (b["cpu_time"] * scale, b["real_time"] * scale)

def fmt_ns(ns):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:.3g} {unit}"
    return f"{ns:.3g} ns"

# (figure, pulse benchmark, peer benchmark or None, goal text, limit in ns or None)
GOALS = [
    ("pulse-red: record one request (histogram + top-K), 1 thread", "BM_PulseRed_Record/real_time/threads:1",
     "BM_PrometheusCpp_HistogramObserve/real_time/threads:1", "≤ 60 ns CPU (issue 14)", 60),
    ("pulse-red: record, 2 threads", "BM_PulseRed_Record/real_time/threads:2",
     "BM_PrometheusCpp_HistogramObserve/real_time/threads:2", None, None),
    ("pulse-red: histogram only, 1 thread", "BM_PulseRed_RecordNoUsers/real_time/threads:1",
     "BM_PrometheusCpp_HistogramObserve/real_time/threads:1", None, None),
    ("render prometheus.yml, 10,000 monitors", "BM_PrometheusConfig/10000", None,
     "< 200 ms (issue 3)", 200e6),
    ("render everything, 10,000 monitors", "BM_RenderAll/10000", None, "< 200 ms (issue 3)", 200e6),
]
lines = [BEGIN, "", f"## Latest `scripts/bench.sh` run — {started}", "",
         f"Machine: {machine}; load average {load0} before, {load1} after; commit {commit}.",
         "Generated by `scripts/bench.sh`; the sections below it are hand-written analysis of "
         "earlier runs.", ""]
if failed:
    lines += [f"**Failed in this run:** {failed}.", ""]
if med:
    lines += ["| figure | pulse (CPU, median of 3) | peer in the same run | pulse / peer | goal | met? |",
              "|---|---|---|---|---|---|"]
    for what, ours, peer, goal, limit in GOALS:
        if ours not in med:
            continue
        cpu = med[ours][0]
        p = med.get(peer) if peer else None
        peer_cell = "%s (`%s`)" % (fmt_ns(p[0]), peer.split("/")[0]) if p else "—"
        ratio = "%.2f" % (cpu / p[0]) if p else "—"
        verdict = ("**met**" if cpu <= limit else "**missed**") if limit else "—"
        lines.append(f"| {what} | {fmt_ns(cpu)} | {peer_cell} | {ratio} | {goal or '—'} | {verdict} |")
    lines += ["", "<details><summary>Every Google Benchmark median (CPU / wall)</summary>", "",
              "| benchmark | CPU | wall |", "|---|---|---|"]
    lines += [f"| `{n}` | {fmt_ns(c)} | {fmt_ns(r)} |" for n, (c, r) in sorted(med.items())]
    lines += ["", "</details>", ""]
for name in ("exporter", "serve", "kube", "red-overhead", "operator-latency", "demo-footprint"):
    f = os.path.join(out, name + ".md")
    if os.path.exists(f):
        lines += [open(f).read().rstrip(), ""]
lines.append(END)
text = open(doc).read()
block = "\n".join(lines) + "\n"
if BEGIN in text and END in text:
    head, rest = text.split(BEGIN, 1)
    text = head + block + rest.split(END, 1)[1].lstrip("\n")
else:  # first run: after the introduction, before the first section
    intro, sep, rest = text.partition("\n## ")
    text = intro.rstrip("\n") + "\n\n" + block + "\n" + sep.lstrip("\n") + rest
open(doc, "w").write(text)
PY
log "results in $out; report in docs/benchmarks.md"
((${#failed[@]} == 0))
