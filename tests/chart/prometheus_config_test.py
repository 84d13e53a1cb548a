"""The Prometheus config the chart ships is valid for the Prometheus the chart runs: the
bootstrap prometheus.yml with the chart's scrape files (kubelet cAdvisor, node-exporter, the
chart's components) passes `promtool check config` (Prometheus 3, with Kubernetes discovery),
and the rendered operator flags point Prometheus at the same scrape files."""
import os
import tempfile

from chart_lib import TOOLS_BIN, check, finish, require_helm, run, template

require_helm()
promtool = os.path.join(TOOLS_BIN, "promtool")
if not check(os.access(promtool, os.X_OK),
             f"promtool with Kubernetes discovery at {promtool} (scripts/build-tools.sh)"):
    finish()
SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount/"
SCRAPE_DIR = "/etc/prometheus/scrape/"

for label, values in (("defaults", None),
                      ("node-exporter, namespace-scoped",
                       {"nodeExporter": {"enabled": True},
                        "operator": {"watchNamespaces": ["shop"]}})):
    objs = template(values)
    cms = {o["metadata"]["name"]: o for o in objs if o["kind"] == "ConfigMap"}
    bootstrap = cms["pulse-prometheus-bootstrap"]["data"]["prometheus.yml"]
    scrape = cms["pulse-prometheus-scrape"]["data"]
    expected = {"components.yaml", "cadvisor.yaml"} | (
        {"node-exporter.yaml"} if values else set())
    check(set(scrape) == expected, f"{label}: scrape files {sorted(scrape)}")
    with tempfile.TemporaryDirectory() as tmp:
        # The pod's paths, moved under tmp: promtool checks that referenced files exist.
        os.makedirs(os.path.join(tmp, "sa"))
        os.makedirs(os.path.join(tmp, "scrape"))
        os.makedirs(os.path.join(tmp, "rules"))
        for f in ("token", "ca.crt"):
            open(os.path.join(tmp, "sa", f), "w").write("x\n")

        def local(text):
            return (text.replace(SA_DIR, os.path.join(tmp, "sa") + "/")
                    .replace(SCRAPE_DIR, os.path.join(tmp, "scrape") + "/"))

        for name, text in scrape.items():
            open(os.path.join(tmp, "scrape", name), "w").write(local(text))
        config = os.path.join(tmp, "prometheus.yml")
        open(config, "w").write(local(bootstrap))
        p = run([promtool, "check", "config", config], check_rc=False)
        check(p.returncode == 0, f"{label}: promtool check config (bootstrap + scrape files)" +
              ("" if p.returncode == 0 else f":\n{p.stdout}{p.stderr}"))
    (operator,) = [o for o in objs if o["kind"] == "Deployment" and
                   o["metadata"]["name"] == "pulse-operator"]
    args = operator["spec"]["template"]["spec"]["containers"][0]["args"]
    check(f"--scrape-config-file={SCRAPE_DIR}*.yaml" in args,
          f"{label}: the operator renders scrape_config_files: [{SCRAPE_DIR}*.yaml] too")
    sts = [o for o in objs if o["kind"] == "StatefulSet"][0]
    mounts = {m["mountPath"] for c in sts["spec"]["template"]["spec"]["containers"]
              if c["name"] == "prometheus" for m in c["volumeMounts"]}
    check(SCRAPE_DIR.rstrip("/") in mounts, f"{label}: Prometheus mounts {SCRAPE_DIR}")
finish()
