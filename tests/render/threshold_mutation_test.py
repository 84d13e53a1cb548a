#!/usr/bin/env python3
"""Weakening an alert threshold must make its `promtool test rules` suite fail.

Renders the "alerts" golden case with the real `pulse-operator render` (no change: every suite
passes, which proves the harness; then once per mutation: a cluster-wide --alert-defaults file, or
an edit of an object's spec.alerts, that moves one threshold, `for` or window past the bad series
of a suite) and runs that suite against the freshly rendered rules. Each mutation must make the
suite fail on the alert it weakens. A suite that still passed would not be testing its threshold.

    threshold_mutation_test.py PULSE_OPERATOR PROMTOOL SOURCE_DIR
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

# (suite, alert the mutation weakens, alert-defaults YAML or None, (input file, old, new) or None)
MUTATIONS = [
    ("apimonitor_plain", "PulseApiHighErrorRatio", "apiMonitor: {errorRatio: {threshold: 0.2}}", None),
    ("apimonitor_plain", "PulseApiHighLatency", "apiMonitor: {latencyP99: {threshold: 5}}", None),
    ("apimonitor_plain", "PulseApiTargetDown", "apiMonitor: {targetDown: {for: 30m}}", None),
    ("apimonitor_alerts_spec", "PulseApiTargetAbsent", "apiMonitor: {targetAbsent: {window: 1h}}", None),
    ("apimonitor_alerts_spec", "PulseApiHighErrorRatio", None,
     ("apimonitors.yaml", "errorRatio: {threshold: 0.2}", "errorRatio: {threshold: 0.4}")),
    ("apimonitor_alerts_spec", "PulseApiHighLatency", None,
     ("apimonitors.yaml", "latencyP99: {threshold: 0.25}", "latencyP99: {threshold: 0.5}")),
    ("exporter_rabbitmq", "PulseRabbitMqInFlightBacklog", "exporter: {inFlightBacklog: {threshold: 10000}}", None),
    ("exporter_rabbitmq", "PulseRabbitMqDeadLetterGrowing", "exporter: {deadLetterGrowth: {threshold: 100}}", None),
    ("exporter_rabbitmq", "PulseExporterTargetDown", "exporter: {targetDown: {for: 1h}}", None),
    ("exporter_postgresql", "PulsePostgresConnectionsNearMax", "exporter: {connectionsNearMax: {threshold: 0.95}}", None),
    ("exporter_postgresql", "PulsePostgresDatabaseGrowth", "exporter: {sizeGrowth: {threshold: 0.5}}", None),
    ("exporter_s3", "PulseS3BucketGrowth", "exporter: {sizeGrowth: {threshold: 5}}", None),
    ("exporter_alerts_spec", "PulseExporterAbsent", "exporter: {exporterAbsent: {for: 1h}}", None),
    ("exporter_alerts_spec", "PulseRabbitMqInFlightBacklog", None,
     ("exporters.yaml", "      threshold: 100\n", "      threshold: 600\n")),
]


def run_suite(operator, promtool, src, work, suite, defaults, edit):
    """Renders the case into work/ and runs one suite there; returns (ok, output)."""
    if work.exists():
        shutil.rmtree(work)
    inputs = work / "inputs"
    shutil.copytree(src / "tests/render/testdata/alerts", inputs)
    if edit is not None:
        name, old, new = edit
        text = (inputs / name).read_text()
        if text.count(old) != 1:
            sys.exit(f"mutation edit {old!r} does not occur exactly once in {name}")
        (inputs / name).write_text(text.replace(old, new))
    (work / "golden").mkdir()
    cmd = [operator, "render", "-f", str(inputs), "-o", str(work / "golden/alerts")]
    if defaults is not None:
        (work / "defaults.yaml").write_text(defaults + "\n")
        cmd += ["--alert-defaults", str(work / "defaults.yaml")]
    render = subprocess.run(cmd, capture_output=True, text=True)
    if render.returncode != 0:
        sys.exit(f"render failed ({' '.join(cmd)}):\n{render.stderr}")
    # The suites name their rule files relative to themselves: ../golden/alerts/rules/...
    (work / "promtool").mkdir()
    shutil.copy(src / f"tests/render/promtool/{suite}.test.yaml", work / "promtool")
    test = subprocess.run([promtool, "test", "rules", str(work / f"promtool/{suite}.test.yaml")],
                          capture_output=True, text=True)
    return test.returncode == 0, test.stdout + test.stderr


def main():
    operator, promtool, src = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp) / "work"
        for suite in sorted({m[0] for m in MUTATIONS}):
            ok, out = run_suite(operator, promtool, src, work, suite, None, None)
            if not ok:
                failures.append(f"{suite}: fails without any mutation:\n{out}")
        for suite, alert, defaults, edit in MUTATIONS:
            ok, out = run_suite(operator, promtool, src, work, suite, defaults, edit)
            what = defaults if defaults is not None else f"{edit[0]}: {edit[1]!r} -> {edit[2]!r}"
            if ok:
                failures.append(f"{suite}: still passes with {what}")
            elif f"alertname: {alert}" not in out:
                failures.append(f"{suite}: {what} made it fail, but not on {alert}:\n{out}")
            else:
                print(f"ok: {suite} fails on {alert} with {what}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
