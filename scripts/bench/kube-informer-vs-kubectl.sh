#!/usr/bin/env bash
# Side-by-side: pulse's informer vs `kubectl get configmaps --watch -o json`, both watching the
# same namespace while COUNT ConfigMaps are created, on a fresh real control plane
# (scripts/testenv). Prints a Markdown table: time from the first create until each consumer
# has seen every object, events/s, CPU seconds and peak RSS of each consumer process.
# Phase 2 ("cold start"): with the COUNT objects in place, a fresh consumer of each kind starts
# and the time until it holds all of them is measured (list + watch start; no create limit).
#
#   scripts/bench/kube-informer-vs-kubectl.sh [BUILD_DIR] [COUNT]      (THREADS=8 creators)
#
# BUILD_DIR must hold operator/kube/kube_informer_load (ninja kube_informer_load).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build}"
count="${2:-5000}"
threads="${THREADS:-8}"
load="$build/operator/kube/kube_informer_load"
[[ -x "$load" ]] || { echo "missing $load (ninja -C $build kube_informer_load)" >&2; exit 1; }
state="$(mktemp -d /tmp/pulse-kube-bench.XXXXXX)"
cleanup() { "$root/scripts/testenv/testenv.sh" stop kube "$state" >/dev/null 2>&1 || true; rm -rf "$state"; }
trap cleanup EXIT
"$root/scripts/testenv/testenv.sh" start kube "$state" >&2
KUBECONFIG="$(sed -n 's/^KUBECONFIG=//p' "$state/kube/env")"
export KUBECONFIG
kubectl create namespace bench >/dev/null

python3 - "$load" "$KUBECONFIG" "$count" "$threads" <<'PY'
import os, subprocess, sys, threading, time

load, kubeconfig, count, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
now_ms = lambda: int(time.time() * 1000)
tick = os.sysconf("SC_CLK_TCK")

def proc_usage(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return cpu, hwm

# kubectl prints each watched object as an indented JSON document (the initial list of a
# non-empty namespace as one List); count the ConfigMaps' "kind" lines at any depth.
kubectl = subprocess.Popen(["kubectl", "get", "configmaps", "-n", "bench", "--watch", "-o", "json"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=1 << 20)
seen = {"n": 0, "done": None}
def read_kubectl():
    for line in kubectl.stdout:
        if line.strip() == b'"kind": "ConfigMap",':
            seen["n"] += 1
            if seen["n"] == count:
                seen["done"] = now_ms()
threading.Thread(target=read_kubectl, daemon=True).start()

informer = subprocess.Popen([load, "watch", kubeconfig, "bench", str(count)],
                            stdout=subprocess.PIPE, text=True)
assert informer.stdout.readline().startswith("ready")
time.sleep(2)  # kubectl's initial (empty) list and watch are open by now

created = subprocess.run([load, "create", kubeconfig, "bench", str(count), threads],
                         capture_output=True, text=True, check=True).stdout.split("\n")
start = int(created[0].split()[1])
end = int(created[1].split()[1])

done_line = informer.stdout.readline().split()
informer.wait()
inf = dict(kv.split("=") for kv in done_line[2:])
inf_done = int(done_line[1])

deadline = time.time() + 600
while seen["done"] is None and time.time() < deadline:
    time.sleep(0.05)
k_cpu, k_hwm = proc_usage(kubectl.pid)
kubectl.kill()
kubectl.wait()
if seen["done"] is None:
    sys.exit(f"kubectl saw only {seen['n']} of {count}")

def row(name, done, cpu, rss_kb):
    secs = (done - start) / 1000
    return (f"| {name} | {secs:.2f} | {(done - end) / 1000:.2f} | {count / secs:,.0f} | "
            f"{cpu:.2f} | {rss_kb / 1024:.1f} |")
print(f"{count} ConfigMaps created by {threads} threads in {(end - start) / 1000:.2f} s "
      f"({count / ((end - start) / 1000):,.0f}/s)\n")
print("| consumer | seconds until all seen | lag after last create (s) | events/s | CPU s | peak RSS MiB |")
print("|---|---|---|---|---|---|")
print(row("pulse informer (kube_informer_load watch)", inf_done, float(inf["cpu_s"]), int(inf["maxrss_kb"])))
print(row("kubectl get configmaps --watch -o json", seen["done"], k_cpu, k_hwm))

# Phase 2: cold start against COUNT existing objects.
t0 = now_ms()
informer = subprocess.run([load, "watch", kubeconfig, "bench", str(count)], capture_output=True,
                          text=True, check=True).stdout.split("\n")
done_line = informer[1].split()
inf = dict(kv.split("=") for kv in done_line[2:])
inf_secs = (int(done_line[1]) - t0) / 1000

seen = {"n": 0, "done": None}
t1 = now_ms()
kubectl = subprocess.Popen(["kubectl", "get", "configmaps", "-n", "bench", "--watch", "-o", "json"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=1 << 20)
threading.Thread(target=read_kubectl, daemon=True).start()
deadline = time.time() + 600
while seen["done"] is None and time.time() < deadline:
    time.sleep(0.01)
k_cpu, k_hwm = proc_usage(kubectl.pid)
kubectl.kill()
kubectl.wait()
k_secs = (seen["done"] - t1) / 1000
print(f"\nCold start with {count} existing ConfigMaps (process start until all held):\n")
print("| consumer | seconds | objects/s | CPU s | peak RSS MiB |")
print("|---|---|---|---|---|")
print(f"| pulse informer (paged list, 500/page) | {inf_secs:.2f} | {count / inf_secs:,.0f} | "
      f"{float(inf['cpu_s']):.2f} | {int(inf['maxrss_kb']) / 1024:.1f} |")
print(f"| kubectl get configmaps --watch -o json | {k_secs:.2f} | {count / k_secs:,.0f} | "
      f"{k_cpu:.2f} | {k_hwm / 1024:.1f} |")
PY
