"""values.schema.json rejects a misspelt field and a wrong type at install time (helm validates
values before rendering), and the message names the field, so the user knows what to fix."""
from chart_lib import CHART, HELM, KUBE_VERSION, check, finish, require_helm, run, values_file

import os

require_helm()
BAD = [
    # (what, values, text the error must contain)
    ("misspelt field", {"prometheus": {"retension": "30d"}}, "retension"),
    ("misspelt top-level section", {"grafanna": {"enabled": False}}, "grafanna"),
    ("wrong type", {"operator": {"replicas": "two"}}, "replicas"),
    ("value outside the enum", {"operator": {"logFormat": "xml"}}, "logFormat"),
    ("malformed duration", {"operator": {"leaderElection": {"leaseDuration": "15 seconds"}}},
     "leaseDuration"),
    ("namespace that is not a DNS label", {"operator": {"watchNamespaces": ["Shop_1"]}},
     "watchNamespaces"),
    ("malformed retention", {"prometheus": {"retention": "two weeks"}}, "retention"),
    ("no shards", {"prometheus": {"shards": 0}}, "shards"),
    ("more shards than the operator takes", {"prometheus": {"shards": 65}}, "shards"),
    ("shards as a word", {"prometheus": {"shards": "two"}}, "shards"),
]
for what, values, field in BAD:
    path = values_file(values)
    try:
        p = run([HELM, "template", "pulse", CHART, "--kube-version", KUBE_VERSION, "-f", path],
                check_rc=False)
    finally:
        os.unlink(path)
    message = p.stderr.strip().replace("\n", " | ")
    check(p.returncode != 0, f"{what} rejected (exit {p.returncode})")
    check(field in p.stderr and "schema" in p.stderr.lower(),
          f"{what}: the schema error names '{field}': {message[:300]}")

# The same template-time check for a combination the schema cannot express.
path = values_file({"prometheus": {"enabled": False}})
try:
    p = run([HELM, "template", "pulse", CHART, "--kube-version", KUBE_VERSION, "-f", path],
            check_rc=False)
finally:
    os.unlink(path)
check(p.returncode != 0 and "grafana.prometheusUrl" in p.stderr,
      "Grafana without the chart's Prometheus and without grafana.prometheusUrl is rejected, "
      "naming grafana.prometheusUrl")
# Several shards each hold part of the series: Grafana must read from where all of them are.
path = values_file({"prometheus": {"shards": 2}})
try:
    p = run([HELM, "template", "pulse", CHART, "--kube-version", KUBE_VERSION, "-f", path],
            check_rc=False)
finally:
    os.unlink(path)
check(p.returncode != 0 and "grafana.prometheusUrl" in p.stderr and "shards" in p.stderr,
      "prometheus.shards=2 with Grafana but without grafana.prometheusUrl is rejected, naming both")
finish()
