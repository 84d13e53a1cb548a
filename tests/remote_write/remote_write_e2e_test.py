#!/usr/bin/env python3
"""Remote write end to end against real servers (issue 13, docs/remote-write.md).

    remote_write_e2e_test.py PULSE_OPERATOR PROMETHEUS SOURCE_DIR

VictoriaMetrics runs as the `victoriametrics` CTest fixture (scripts/testenv), behind HTTP basic
auth whose password is a file. The test:
  1. serves /metrics of six targets (three ApiMonitors) with known values from this process;
  2. renders the ApiMonitors with `pulse-operator render --shards 2 --remote-write-config`, the
     basic auth password named as a Secret key under --secrets-dir (a file there, as Prometheus
     would see a mounted Secret), and without remote write for a reference Prometheus;
  3. runs three real Prometheus: shard 0 and shard 1 (each writes into VictoriaMetrics), and the
     reference, which scrapes every target itself;
  4. asserts that the seed metrics' PromQL returns the same values from VictoriaMetrics' query
     API as from the reference Prometheus (exactly for instant values, within 5 % for rate(),
     whose extrapolation VictoriaMetrics does differently), that every series came from exactly
     one shard, that the shards wrote without failures, and that VictoriaMetrics refuses
     requests without the password (so the writes did authenticate with the file's password).
Also checks the CLI: a bad remote-write file fails the render with the field named, and the
render without --remote-write-config has no remote_write section.
"""
import hashlib
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import base64

OPERATOR, PROMETHEUS, SOURCE = sys.argv[1:4]
STATE = os.environ.get("PULSE_TESTENV_DIR", "")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def testenv(server):
    env = {}
    with open(os.path.join(STATE, server, "env")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = v
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- targets -------------------------------------------------------------------------------
# Known values: target i has memory (i+1) MiB and constant 200/500 counts; its request counter
# grows at a fixed rate with wall time (so rate() has a known value) and its histogram buckets
# keep fixed proportions (so histogram_quantile is the same whatever the sampling).
T0 = time.time()
BUCKETS = [("0.05", 0.5), ("0.1", 0.8), ("0.5", 0.95), ("1", 0.99), ("+Inf", 1.0)]


def metrics_text(i):
    rps = 10.0 * (i + 1)
    n = rps * (time.time() - T0) + 1000
    lines = ["# TYPE http_request_duration_seconds histogram"]
    for status, share in (("200", 0.9), ("500", 0.1)):
        total = round(n * share, 3)
        for le, frac in BUCKETS:
            lines.append('http_request_duration_seconds_bucket{status="%s",le="%s"} %s' %
                         (status, le, repr(round(total * frac, 3))))
        lines.append('http_request_duration_seconds_sum{status="%s"} %s' % (status, repr(total / 10)))
        lines.append('http_request_duration_seconds_count{status="%s"} %s' % (status, repr(total)))
    lines.append("# TYPE process_resident_memory_bytes gauge")
    lines.append("process_resident_memory_bytes %d" % ((i + 1) * 1048576))
    lines.append("# TYPE pulse_test_errors_total counter")
    lines.append("pulse_test_errors_total %d" % (7 * (i + 1)))
    return "\n".join(lines) + "\n"


def serve_target(i, port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = metrics_text(i).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def prometheus_shard(address, count):
    """Which shard Prometheus' hashmod puts `address` on (md5, low 8 bytes big-endian)."""
    return int.from_bytes(hashlib.md5(address.encode()).digest()[8:], "big") % count


# Six targets over both shards: ports are drawn until each shard gets at least two, so the test
# always exercises two writers.
for _ in range(100):
    ports = [free_port() for _ in range(6)]
    shards = [prometheus_shard("127.0.0.1:%d" % p, 2) for p in ports]
    if len(set(ports)) == 6 and min(shards.count(0), shards.count(1)) >= 2:
        break
servers = [serve_target(i, p) for i, p in enumerate(ports)]
MONITORS = {"shop": ports[0:3], "crm": ports[3:5], "mes": ports[5:6]}

work = tempfile.mkdtemp(prefix="pulse-remote-write-")
procs = []


def http_get(url, auth=None, timeout=10):
    req = urllib.request.Request(url)
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def query(base, promql, at, auth=None):
    """Instant query -> {labels without __name__ and prometheus_shard: float}."""
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": promql, "time": "%.3f" % at})
    _, body = http_get(url, auth)
    data = json.loads(body)
    if data.get("status") != "success":
        raise RuntimeError("%s: %s" % (promql, body[:300]))
    out = {}
    for r in data["data"]["result"]:
        labels = {k: v for k, v in r["metric"].items() if k not in ("__name__", "prometheus_shard")}
        out[tuple(sorted(labels.items()))] = float(r["value"][1])
    return out


try:
    vm = testenv("victoriametrics")
    vm_auth = vm["USERNAME"] + ":" + open(vm["PASSWORD_FILE"]).read().strip()

    # ---- render ----------------------------------------------------------------------------
    crs = os.path.join(work, "crs.yaml")
    with open(crs, "w") as f:
        for name, ps in MONITORS.items():
            f.write("---\napiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\n"
                    "metadata: {name: %s, namespace: default}\nspec:\n  staticTargets:\n"
                    "    - targets: [%s]\n  endpoints:\n    - {path: /metrics, interval: 1s}\n" %
                    (name, ", ".join('"127.0.0.1:%d"' % p for p in ps)))
    secrets = os.path.join(work, "secrets")
    os.makedirs(os.path.join(secrets, "monitoring", "vm-auth"))
    with open(os.path.join(secrets, "monitoring", "vm-auth", "username"), "w") as f:
        f.write(vm["USERNAME"])
    shutil.copy(vm["PASSWORD_FILE"], os.path.join(secrets, "monitoring", "vm-auth", "password"))
    rw = os.path.join(work, "remote-write.yaml")
    with open(rw, "w") as f:
        f.write("url: %s\nname: victoriametrics\nremoteTimeout: 10s\nsecretNamespace: monitoring\n"
                "basicAuth:\n  username: {name: vm-auth, key: username}\n"
                "  password: {name: vm-auth, key: password}\n"
                "queueConfig: {capacity: 10000, maxShards: 4, maxSamplesPerSend: 2000, "
                "batchSendDeadline: 1s}\n" % vm["WRITE_URL"])

    def render(out, *extra):
        return subprocess.run([OPERATOR, "render", "-f", crs, "-o", out, "--secrets-dir", secrets,
                               *extra], capture_output=True, text=True)

    bad = os.path.join(work, "bad.yaml")
    with open(bad, "w") as f:
        f.write("url: https://vm/write\nqueueConfig: {maxShards: 0, capacity: 0}\n")
    r = render(os.path.join(work, "bad-out"), "--remote-write-config", bad)
    check(r.returncode == 1 and "queueConfig.capacity" in r.stderr and
          "queueConfig.maxShards" in r.stderr and
          not os.path.exists(os.path.join(work, "bad-out")),
          "a bad remote-write file fails the render, naming each field, writing nothing "
          "(exit %d: %s)" % (r.returncode, r.stderr.strip().replace("\n", " | ")))
    ref_dir, sharded_dir = os.path.join(work, "reference"), os.path.join(work, "sharded")
    r = render(ref_dir)
    check(r.returncode == 0, "render without remote write: " + r.stderr.strip())
    check("remote_write" not in open(os.path.join(ref_dir, "prometheus.yml")).read(),
          "without --remote-write-config the config has no remote_write")
    r = render(sharded_dir, "--shards", "2", "--remote-write-config", rw)
    check(r.returncode == 0, "render --shards 2 --remote-write-config: " + r.stderr.strip())
    shard_configs = [os.path.join(sharded_dir, "prometheus-shard-%d.yml" % i) for i in range(2)]
    for path in shard_configs:
        text = open(path).read()
        check("remote_write:" in text and vm["WRITE_URL"] in text and
              os.path.join(secrets, "monitoring/vm-auth/password") in text and
              open(vm["PASSWORD_FILE"]).read().strip() not in text,
              "%s writes to VictoriaMetrics with password_file, never the password" %
              os.path.basename(path))

    # ---- three Prometheus ------------------------------------------------------------------
    def start_prometheus(name, config):
        port = free_port()
        log = open(os.path.join(work, name + ".log"), "w")
        p = subprocess.Popen([PROMETHEUS, "--config.file=" + config,
                              "--storage.tsdb.path=" + os.path.join(work, name + "-data"),
                              "--web.listen-address=127.0.0.1:%d" % port],
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(p)
        return "http://127.0.0.1:%d" % port

    ref = start_prometheus("reference", os.path.join(ref_dir, "prometheus.yml"))
    shard_urls = [start_prometheus("shard-%d" % i, c) for i, c in enumerate(shard_configs)]

    def wait(what, cond, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if cond():
                    return True
            except (OSError, urllib.error.URLError, RuntimeError, ValueError):
                pass
            time.sleep(0.5)
        check(False, "timed out waiting for " + what)
        return False

    for url in [ref] + shard_urls:
        wait("%s ready" % url, lambda: http_get(url + "/-/ready")[0] == 200)
    # Over a minute of data: rate(...[1m]) then has a full window on both sides (with less,
    # Prometheus extrapolates only part of the way to the window's start).
    wait("every target up in VictoriaMetrics and the reference",
         lambda: (sum(query(vm["URL"], "sum(up)", time.time(), vm_auth).values()) == 6 and
                  sum(query(ref, "sum(up)", time.time()).values()) == 6))
    time.sleep(65)
    at = time.time() - 3  # every writer has sent this moment (batchSendDeadline 1s)
    time.sleep(2)

    # ---- every series from exactly one shard -----------------------------------------------
    per_shard = [query(u, "up", at) for u in shard_urls]
    check(all(len(s) >= 2 for s in per_shard) and not set(per_shard[0]) & set(per_shard[1]),
          "each shard scrapes its own targets (%d and %d)" % tuple(len(s) for s in per_shard))
    vm_up = json.loads(http_get(vm["URL"] + "/api/v1/query?" + urllib.parse.urlencode(
        {"query": "up", "time": "%.3f" % at}), vm_auth)[1])["data"]["result"]
    by_shard = {}
    for s in vm_up:
        by_shard.setdefault(s["metric"].get("prometheus_shard"), set()).add(s["metric"]["instance"])
    check(set(by_shard) == {"0", "1"} and sum(len(v) for v in by_shard.values()) == 6 and
          set().union(*by_shard.values()) == {"127.0.0.1:%d" % p for p in ports},
          "VictoriaMetrics has all 6 targets, each once, labelled with the shard that wrote it")

    # ---- the seed metrics' PromQL: VictoriaMetrics == the reference Prometheus -------------
    exact = []
    rated = []
    for m in MONITORS:
        sel = 'pulse_apimonitor="default/%s"' % m
        exact += [
            "sum(process_resident_memory_bytes{%s})" % sel,
            "sum(pulse_test_errors_total{%s})" % sel,
            "count(up{%s} == 1)" % sel,
        ]
        rated += [
            "sum(rate(http_request_duration_seconds_count{%s}[1m]))" % sel,
            'sum(rate(http_request_duration_seconds_count{%s,status="500"}[1m]))' % sel,
            "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{%s}[1m])))"
            % sel,
            "histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{%s}[1m])))"
            % sel,
        ]
    # Rules that need the global view: totals across both shards.
    exact += ["sum(process_resident_memory_bytes)", "count by (pulse_apimonitor) (up)",
              "max by (pulse_apimonitor) (process_resident_memory_bytes)"]
    rated += ["sum by (pulse_apimonitor) (rate(http_request_duration_seconds_count[1m]))"]
    for q, tolerance in [(q, 0.0) for q in exact] + [(q, 0.05) for q in rated]:
        want, got = query(ref, q, at), query(vm["URL"], q, at, vm_auth)
        same = set(want) == set(got) and bool(want) and all(
            abs(got[k] - want[k]) <= tolerance * abs(want[k]) for k in want)
        # Exact for the constant series; the growing counters are compared through rate() only
        # (two Prometheus scrape them at different moments).
        check(same, "%s: VictoriaMetrics %s == Prometheus %s" %
              (q, sorted(got.values()), sorted(want.values())))
    # The sharded view adds up to the global one.
    total = sum(sum(query(u, "sum(process_resident_memory_bytes)", at).values()) for u in shard_urls)
    check(total == sum(query(vm["URL"], "sum(process_resident_memory_bytes)", at, vm_auth).values())
          == sum((i + 1) * 1048576 for i in range(6)),
          "shard sums add up to VictoriaMetrics' total, the known %d bytes" %
          sum((i + 1) * 1048576 for i in range(6)))

    # ---- the writers authenticated and lost nothing ----------------------------------------
    for u in shard_urls:
        # Its own /metrics (the rendered config does not scrape Prometheus itself).
        own = http_get(u + "/metrics")[1].decode()

        def total(name):
            return sum(float(line.rsplit(" ", 1)[1]) for line in own.splitlines()
                       if line.startswith(name + "{") or line.startswith(name + " "))
        sent = total("prometheus_remote_storage_samples_total")
        failed = total("prometheus_remote_storage_samples_failed_total")
        check(failed == 0 and sent > 0, "%s sent %d samples, %d failed" % (u, sent, failed))
    for auth, what in [(None, "no credentials"), (vm["USERNAME"] + ":wrong", "a wrong password")]:
        try:
            status = http_get(vm["URL"] + "/api/v1/query?query=up", auth)[0]
        except urllib.error.HTTPError as e:
            status = e.code
        check(status == 401, "VictoriaMetrics refuses %s (HTTP %d)" % (what, status))
finally:
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(p.pid, signal.SIGKILL)
    for s in servers:
        s.shutdown()
    if failures:
        for name in ("reference", "shard-0", "shard-1"):
            path = os.path.join(work, name + ".log")
            if os.path.exists(path):
                print("--- last lines of %s.log" % name)
                print("".join(open(path).readlines()[-15:]))
    shutil.rmtree(work, ignore_errors=True)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
