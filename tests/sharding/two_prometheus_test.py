#!/usr/bin/env python3
"""Two real Prometheus servers, each loading its shard of `pulse-operator render --shards 2`,
over the same eight static targets (docs/sharding.md). Passes when the sets of targets each
scrapes (`up` series) are disjoint and their union is every target.

The test proves it can fail: before the real check it runs the unsharded prometheus.yml on both
servers and requires the same check to reject that (every target is scraped twice); it also
runs shard 0 of 2 beside shard 1 of 3 and reports whether the check rejects that mismatch.

usage: two_prometheus_test.py PULSE_OPERATOR PROMETHEUS
"""
import http.server
import json
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TARGETS = 8


class Metrics(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = b"# TYPE pulse_shard_test_up gauge\npulse_shard_test_up 1\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def monitor_yaml(targets):
    listed = ", ".join(f'"{t}"' for t in targets)
    return f"""apiVersion: monitoring.pulse.dev/v1alpha1
kind: ApiMonitor
metadata:
  name: fleet
  namespace: shard-test
spec:
  staticTargets:
    - targets: [{listed}]
  endpoints:
    - path: /metrics
      interval: 1s
"""


def render(operator, source, out, shards):
    r = subprocess.run([operator, "render", "-f", str(source), "-o", str(out), "--shards",
                        str(shards)], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"render --shards {shards} failed: {r.stderr}")


class Prometheus:
    def __init__(self, binary, work, name, config):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(work / f"{name}.log", "w")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={work / name}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"prometheus {name} did not start; see {self.log.name}")
            time.sleep(0.2)

    def scraped(self):
        """Instances of the active targets once discovery has placed every target (kept or
        dropped by the shard's keep rule) and every kept one has been scraped and is up."""
        data = get(self.url + "/api/v1/targets")["data"]
        active, dropped = data["activeTargets"], data["droppedTargets"]
        if len(active) + len(dropped) != TARGETS or any(t["health"] != "up" for t in active):
            return None
        return {t["labels"]["instance"] for t in active}

    def up_instances(self):
        result = get(self.url + "/api/v1/query?query=up%5B3s%5D")["data"]["result"]
        return {s["metric"]["instance"] for s in result}

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def settled_sets(servers):
    """Each server's scraped targets once all are up and have reported `up`."""
    deadline = time.time() + 30
    while True:
        sets = [s.scraped() for s in servers]
        if all(x is not None for x in sets):
            # The `up` series agree with the target list: what was scraped, not just listed.
            time.sleep(2.5)
            ups = [s.up_instances() for s in servers]
            if all(ups[i] >= sets[i] for i in range(len(servers))):
                return sets
        if time.time() > deadline:
            raise SystemExit(f"targets did not settle: {sets}")
        time.sleep(0.5)


def partition_problem(sets, every):
    """"" when `sets` split `every` into disjoint parts, else what is wrong."""
    a, b = sets
    if a & b:
        return f"scraped by both shards: {sorted(a & b)}"
    if a | b != every:
        return f"scraped by no shard: {sorted(every - (a | b))}"
    return ""


def phase(binary, work, name, config_a, config_b, running,
          check_labels=False):
    """Fresh servers on the two configs (a reload would race the old targets): their sets."""
    pair = []
    try:
        for side, config in (("a", config_a), ("b", config_b)):
            pair.append(Prometheus(binary, work, f"{name}-{side}", config))
            running.append(pair[-1])
        sets = settled_sets(pair)
        if check_labels:
            for i, s in enumerate(pair):
                config = get(s.url + "/api/v1/status/config")["data"]["yaml"]
                if f'prometheus_shard: "{i}"' not in config:
                    raise SystemExit(f"FAIL: shard {i} has no prometheus_shard external label")
        return sets
    finally:
        for s in pair:
            s.stop()
            running.remove(s)


def main():
    operator, prometheus = sys.argv[1], sys.argv[2]
    work = pathlib.Path(tempfile.mkdtemp(prefix="pulse-shard-it-"))
    servers, httpds = [], []
    try:
        for _ in range(TARGETS):
            httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Metrics)
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            httpds.append(httpd)
        every = {f"127.0.0.1:{h.server_address[1]}" for h in httpds}
        source = work / "objects"
        source.mkdir()
        (source / "fleet.yaml").write_text(monitor_yaml(sorted(every)))
        for n in (1, 2, 3):
            render(operator, source, work / f"out{n}", n)
        out1, out2, out3 = (work / f"out{n}" for n in (1, 2, 3))

        # Control 1: the unsharded config on both servers must be caught (every target twice).
        sets = phase(prometheus, work, "unsharded", out1 / "prometheus.yml",
                     out1 / "prometheus.yml", servers)
        problem = partition_problem(sets, every)
        if not problem:
            raise SystemExit("FAIL: the check accepted two unsharded servers")
        print(f"control (unsharded on both) rejected as expected: {problem}")

        # Control 2: mismatched counts (shard 0 of 2, shard 1 of 3) is not a partition, unless
        # the hashes happen to split these ports so that it is; then it is only reported.
        sets = phase(prometheus, work, "mismatched", out2 / "prometheus-shard-0.yml",
                     out3 / "prometheus-shard-1.yml", servers)
        problem = partition_problem(sets, every)
        print("control (mismatched counts):",
              f"rejected as expected: {problem}" if problem else "a partition by chance")

        # The real check: shard 0 and shard 1 of the same render.
        sets = phase(prometheus, work, "sharded", out2 / "prometheus-shard-0.yml",
                     out2 / "prometheus-shard-1.yml", servers, check_labels=True)
        problem = partition_problem(sets, every)
        if problem:
            raise SystemExit(f"FAIL: shards 0 and 1 of 2: {problem}")
        print(f"ok: {len(every)} targets, shard 0 scrapes {len(sets[0])}, "
              f"shard 1 scrapes {len(sets[1])}, disjoint, union complete")
        return 0
    finally:
        for s in servers:
            s.stop()
        for h in httpds:
            h.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
