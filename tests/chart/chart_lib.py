"""Shared helpers of the chart tests: the real helm and kubectl, the chart's rendered objects."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import yaml

SOURCE = os.environ.get("PULSE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
CHART = os.path.join(SOURCE, "charts", "pulse")
TOOLS_BIN = os.environ.get("PULSE_TOOLS_BIN") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pulse-tools", "bin")
HELM = os.path.join(TOOLS_BIN, "helm")
# What the local control plane runs (scripts/lib/tools-env.sh); helm template assumes it too.
KUBE_VERSION = os.environ.get("KUBE_VERSION", "v1.36.3")

_failures = []


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    _failures.append(message)


def ok(message):
    print(f"ok: {message}")


def check(condition, message):
    if condition:
        ok(message)
    else:
        fail(message)
    return condition


def finish():
    """Exit 1 when any check failed (every check runs, so one run shows every problem)."""
    if _failures:
        print(f"{len(_failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


def run(cmd, check_rc=True, env=None, stdin=None):
    """Runs cmd; returns CompletedProcess with text output. Raises on a non-zero exit when
    check_rc, with the command's stderr in the message."""
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, input=stdin)
    if check_rc and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}{p.stdout}")
    return p


def require_helm():
    if not os.access(HELM, os.X_OK):
        print(f"FAIL: helm not built at {HELM} (scripts/build-tools.sh)", file=sys.stderr)
        sys.exit(1)


def values_file(values):
    """A temporary values file with the given dict; the caller removes it."""
    f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    yaml.safe_dump(values, f)
    f.close()
    return f.name


def template(values=None, namespace="pulse-system", release="pulse", extra=()):
    """`helm template` of the chart: the rendered objects (CRDs excluded, as helm applies them
    separately), as a list of dicts."""
    cmd = [HELM, "template", release, CHART, "--namespace", namespace,
           "--kube-version", KUBE_VERSION, *extra]
    path = None
    if values is not None:
        path = values_file(values)
        cmd += ["-f", path]
    try:
        out = run(cmd).stdout
    finally:
        if path:
            os.unlink(path)
    return [d for d in yaml.safe_load_all(out) if d]


def kube_env():
    """Environment for kubectl/helm against the fixture's control plane."""
    state = os.environ.get("PULSE_TESTENV_DIR")
    if not state:
        sys.exit("run through ctest (PULSE_TESTENV_DIR unset)")
    env_file = os.path.join(state, "kube", "env")
    if not os.path.exists(env_file):
        sys.exit(f"FAIL: kube is not running ({env_file} missing)")
    values = dict(line.rstrip("\n").split("=", 1) for line in open(env_file) if "=" in line)
    env = dict(os.environ)
    env["KUBECONFIG"] = values["KUBECONFIG"]
    # helm keeps caches and its registry config under HOME; give it a private one.
    home = tempfile.mkdtemp(prefix="pulse-chart-helm-")
    env["HELM_CACHE_HOME"] = os.path.join(home, "cache")
    env["HELM_CONFIG_HOME"] = os.path.join(home, "config")
    env["HELM_DATA_HOME"] = os.path.join(home, "data")
    return env


def kubectl(env, *args, check_rc=True, stdin=None):
    return run(["kubectl", "--request-timeout=30s", *args], check_rc=check_rc, env=env,
               stdin=stdin)


def containers(objects, kind, name_suffix):
    """The containers of the workload of `kind` whose name ends with name_suffix."""
    for o in objects:
        if o["kind"] == kind and o["metadata"]["name"].endswith(name_suffix):
            spec = o["spec"]["template"]["spec"]
            return spec.get("initContainers", []) + spec["containers"]
    raise KeyError(f"no {kind} *{name_suffix} in the rendered chart")


def kube_state():
    """The fixture's control-plane facts (SERVER, CA_FILE, KUBECONFIG) from its env file."""
    with open(os.path.join(os.environ["PULSE_TESTENV_DIR"], "kube", "env")) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds=60):
    """predicate()'s first truthy value within `seconds`, else None."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    return None


def operator_deployment(env, release, ns):
    """The pod spec of the release's operator Deployment, as helm installed it."""
    manifest = [d for d in yaml.safe_load_all(run([HELM, "get", "manifest", release, "-n", ns],
                                                   env=env).stdout) if d]
    deploy = next(d for d in manifest if d["kind"] == "Deployment" and
                  d["metadata"]["name"] == f"{release}-operator")
    return deploy["spec"]["template"]["spec"]


def start_operator_as_chart_sa(env, operator_bin, release, ns, tmp):
    """Starts the real pulse-operator with a token of the chart's ServiceAccount (nothing else)
    and the exact arguments of the chart's Deployment; only where it listens, the kubeconfig and
    the leader-election timings (short, for a test) differ from a pod — later flags win in the
    parser. Returns (process, its log file open for reading back)."""
    pod = operator_deployment(env, release, ns)
    kube = kube_state()
    token = kubectl(env, "-n", ns, "create", "token", pod["serviceAccountName"]).stdout.strip()
    kubeconfig = os.path.join(tmp, "kubeconfig")
    with open(kubeconfig, "w") as f:
        yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "sa",
            "clusters": [{"name": "c", "cluster": {"server": kube["SERVER"],
                                                   "certificate-authority": kube["CA_FILE"]}}],
            "users": [{"name": "sa", "user": {"token": token}}],
            "contexts": [{"name": "sa", "context": {"cluster": "c", "user": "sa"}}]}, f)
    cmd = [operator_bin, *pod["containers"][0]["args"], f"--kubeconfig={kubeconfig}",
           f"--metrics-address=127.0.0.1:{free_port()}",
           f"--health-address=127.0.0.1:{free_port()}", "--lease-duration=4s",
           "--renew-deadline=3s", "--retry-period=500ms", "--log-format=text"]
    log = open(os.path.join(tmp, "operator.log"), "w+")
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env), log


def stop_operator(proc, log):
    """No request forbidden (the RBAC is enough), then SIGTERM and a clean exit."""
    log.seek(0)
    forbidden = [line for line in log.read().splitlines() if "forbidden" in line.lower()]
    check(not forbidden, f"no request of the operator was forbidden ({forbidden[:3]})")
    proc.send_signal(signal.SIGTERM)
    check(proc.wait(timeout=30) == 0, "SIGTERM: the operator exits 0")
