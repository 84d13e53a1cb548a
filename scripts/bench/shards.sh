#!/usr/bin/env bash
# Sharding benchmark (issue 13, docs/sharding.md): MONITORS ApiMonitors (default 10,000; each
# with TARGETS static targets, default 3 — pods of one service) rendered by
# `pulse-operator render --shards N` for N = 1, 2, 4. Per shard: the targets it keeps, the
# prometheus config bytes and the scrape jobs; per N: the render's wall time.
#
# Targets per shard are computed with Prometheus' hashmod (MD5 of __address__, the last 8 bytes
# as a big-endian integer, modulo N) over the static targets and keep regex read back from each
# rendered config, and cross-checked on a sample of jobs per shard against the real relabelling
# of `promtool check service-discovery` (it must agree, else the script fails).
#   scripts/bench/shards.sh [--build DIR] [--monitors N] [--targets N] [--sample N]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${PULSE_BUILD_DIR:-$repo/build}" monitors=10000 targets=3 sample=5
while (($#)); do
  case "$1" in
    --build) build="$2"; shift ;;
    --monitors) monitors="$2"; shift ;;
    --targets) targets="$2"; shift ;;
    --sample) sample="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
  shift
done
for v in monitors targets sample; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && ((${!v} >= 1)) || { echo "--$v wants a number >= 1" >&2; exit 64; }
done
operator="$build/operator/cmd/pulse-operator"
[[ -x "$operator" ]] || { echo "no $operator (build pulse-operator first)" >&2; exit 1; }
promtool="${PULSE_TOOLS_BIN:-$HOME/.cache/pulse-tools/bin}/promtool"
[[ -x "$promtool" ]] || { echo "no $promtool (scripts/build-tools.sh)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Services spread over 50 namespaces; pod IPs of a /16, as EndpointSlices would give them.
python3 - "$monitors" "$targets" >"$work/monitors.yaml" <<'PY'
import sys
monitors, targets = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
for i in range(monitors):
    addrs = ", ".join(f'"10.{(i * targets + t) // 65536 % 256}.{(i * targets + t) // 256 % 256}.'
                      f'{(i * targets + t) % 256}:8080"' for t in range(targets))
    out.write(f"---\napiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\n"
              f"metadata: {{name: api-{i}, namespace: team-{i % 50}}}\n"
              f"spec:\n  staticTargets: [{{targets: [{addrs}]}}]\n"
              f"  endpoints: [{{interval: 30s}}]\n")
PY

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $monitors ApiMonitors x $targets static targets = $((monitors * targets)) targets"
printf '%-7s %-6s %9s %8s %14s %7s %9s\n' shards shard targets share config_bytes jobs render_s
for n in 1 2 4; do
  out="$work/out-$n"
  start=$(date +%s%N)
  "$operator" render -f "$work/monitors.yaml" -o "$out" --shards "$n" >/dev/null
  secs=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.2f", ns / 1e9 }')
  python3 - "$out" "$n" "$secs" "$promtool" "$sample" <<'PY'
import hashlib, json, pathlib, subprocess, sys
import yaml
out, n, secs, promtool, sample = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
files = [out / "prometheus.yml"] if n == 1 else [out / f"prometheus-shard-{i}.yml" for i in range(n)]
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
total = 0
rows = []
for i, f in enumerate(files):
    config = yaml.load(f.read_text(), Loader=loader)
    kept = 0
    checked = []
    for job in config["scrape_configs"]:
        addrs = [t for g in job["static_configs"] for t in g["targets"]]
        rules = job["relabel_configs"]
        if n > 1:
            hashmod, keep = rules[-2], rules[-1]
            assert hashmod["action"] == "hashmod" and hashmod["modulus"] == n, job["job_name"]
            assert keep["action"] == "keep" and keep["regex"] == str(i), job["job_name"]
            mine = [a for a in addrs
                    if int.from_bytes(hashlib.md5(a.encode()).digest()[8:], "big") % n == i]
        else:
            assert not any(r.get("action") == "hashmod" for r in rules)
            mine = addrs
        kept += len(mine)
        if len(checked) < sample:
            checked.append((job["job_name"], sorted(mine)))
    # The real relabelling agrees with the model on a sample of jobs.
    for name, want in checked:
        r = subprocess.run([promtool, "check", "service-discovery", str(f), name],
                           capture_output=True, text=True, check=True)
        # Dropped targets are listed with empty "labels".
        got = sorted(t["labels"]["__address__"] for t in json.loads(r.stdout) if t["labels"])
        if got != want:
            sys.exit(f"hashmod model disagrees with promtool for {f.name} job {name}: {got} vs {want}")
    total += kept
    rows.append((i, kept, f.stat().st_size, len(config["scrape_configs"])))
for i, kept, size, jobs in rows:
    print(f"{n:<7} {i:<6} {kept:9d} {100 * kept / total:7.1f}% {size:14d} {jobs:7d} {secs:>9}")
PY
done
