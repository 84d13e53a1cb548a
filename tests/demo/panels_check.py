#!/usr/bin/env python3
"""Every panel query of every dashboard returns data on the demo's live Prometheus.

Usage: panels_check.py PROMETHEUS_URL DASHBOARD.json... [--configmaps CONFIGMAPS.json]
                      [--expect VARIABLE=VALUE]...

The dashboards are the shipped ones (dashboards/*.json) and the ones the operator wrote: the
ConfigMaps labelled grafana_dashboard (`kubectl get configmaps -A -l grafana_dashboard -o json`),
each data key ending in .json being one dashboard. Each panel target's `expr` has its template
variables replaced as Grafana would for a demo API ($api, $namespace: every API the dashboard's
own variable query finds; the interval variables: values for the demo's 15 s scrape interval)
and is run as an instant query. `--expect api=default/shop` makes a dashboard with a variable
`api` fail unless that value is among the variable's values (every ApiMonitor of the demo must
be selectable, so that each one's panels are checked). A panel whose query returns no sample for an API fails, naming
dashboard, panel, API and expr, unless ALLOWED (below) says why it legitimately has none.
The recorded series behind the panels appear over the demo's first minutes (the 1h SLO ratios
are recorded from the 5m ones a rule evaluation later), so an empty query is asked again every
5 s for up to PANELS_WAIT_S (default 90) seconds before it counts as failed.
Prints one line per failure and a summary `panels: N queries with data, M allowed empty, F
failed`; exits 1 when anything failed (including an unreadable dashboard or an empty set).
"""
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request

# Panels that have no data in a healthy demo, by (dashboard uid, panel title, refId): why.
# Keep this small; each entry is a panel whose emptiness is the correct answer.
ALLOWED = {
    # Counts targets with up == 0: every demo target is up, so the correct answer is empty.
    ("pulse-overview", "API targets down", "A"): "every target is up in the demo",
    # redis_command_errors_total only has series for commands that failed; the demo's Redis
    # never fails a command (the alert check breaks PostgreSQL, not Redis).
    ("pulse-red", "Redis errors per second", "A"): "the demo's Redis never fails a command",
}

# Grafana's interval variables for a 15 s scrape interval and a 5 m dashboard range:
# $__rate_interval = max($__interval + scrape interval, 4 × scrape interval).
INTERVALS = {
    "__rate_interval": "1m",
    "__interval": "15s",
    "__interval_ms": "15000",
    "__range": "5m",
    "__range_s": "300",
    "__range_ms": "300000",
}


def query(prom, expr):
    url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise RuntimeError(body.get("error", "query failed"))
    data = body["data"]
    if data["resultType"] in ("vector", "matrix"):
        return len(data["result"])
    return 1  # scalar / string


def substitute(expr, values):
    """$name, ${name} and ${name:format} → values[name]; unknown variables are left as they are
    (the query then fails to parse, which names the expr)."""

    def one(m):
        name = m.group(1) or m.group(2)
        return values.get(name, m.group(0))

    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", one, expr)


def panels(dashboard):
    """(title, panel) of every panel, rows' nested panels included."""
    for p in dashboard.get("panels", []):
        yield p
        for q in p.get("panels", []):
            yield q


def variable_values(prom, dashboard):
    """Each query variable's values as Grafana would list them (label_values(metric, label)
    with the variable's regex), expanding earlier variables first; one dict per combination."""
    combos = [dict(INTERVALS)]
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\)\s*", q or "")
        if not m:
            raise RuntimeError(f"variable {v['name']}: unsupported query {q!r}")
        regex = v.get("regex") or ""
        pattern = re.compile(regex.strip("/")) if regex else None
        out = []
        for c in combos:
            series = substitute(m.group(1), c)
            url = prom + "/api/v1/series?" + urllib.parse.urlencode({"match[]": series})
            with urllib.request.urlopen(url, timeout=10) as r:
                found = sorted({s.get(m.group(2)) for s in json.load(r)["data"]} - {None})
            if pattern:
                found = sorted({pm.group(1) if pm.groups() else pm.group(0)
                                for pm in map(pattern.fullmatch, found) if pm})
            for value in found:
                out.append({**c, v["name"]: value})
        if not out:
            raise RuntimeError(f"variable {v['name']}: no values ({q})")
        combos = out
    return combos


def main(argv):
    prom, files, cms, expect = argv[0].rstrip("/"), [], None, []
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--configmaps":
            cms = args.pop(0)
        elif a == "--expect":
            expect.append(tuple(args.pop(0).split("=", 1)))
        else:
            files.append(a)
    wait_s = float(os.environ.get("PANELS_WAIT_S", "90"))
    dashboards = []  # (source, dashboard)
    for f in files:
        with open(f) as fh:
            dashboards.append((f, json.load(fh)))
    if cms:
        with open(cms) as fh:
            items = json.load(fh)["items"]
        if not items:
            print("panels FAIL: no ConfigMap labelled grafana_dashboard (the operator wrote none)")
            return 1
        for cm in items:
            for key, text in sorted(cm.get("data", {}).items()):
                if key.endswith(".json"):
                    src = f"ConfigMap {cm['metadata']['namespace']}/{cm['metadata']['name']} {key}"
                    dashboards.append((src, json.loads(text)))
    ok = allowed = failed = 0
    empty = []  # (message, expr) of queries without data, asked again below
    for src, d in dashboards:
        uid = d.get("uid", "?")
        names = {v.get("name") for v in d.get("templating", {}).get("list", [])}
        wanted = [(k, v) for k, v in expect if k in names]
        until = time.monotonic() + wait_s
        while True:  # the recorded series the variables list appear over the first minutes
            try:
                combos = variable_values(prom, d)
                missing = [f"{k}={v}" for k, v in wanted if not any(c.get(k) == v for c in combos)]
            except Exception as e:  # noqa: BLE001 - report after the wait
                combos, missing = [], [str(e)]
            if not missing or time.monotonic() >= until:
                break
            time.sleep(5)
        if missing:
            print(f"panels FAIL: {src} (uid {uid}): variable values missing: {', '.join(missing)}")
            failed += 1
            continue
        n_targets = 0
        for p in panels(d):
            for t in p.get("targets", []):
                if "expr" not in t:
                    continue
                n_targets += 1
                key = (uid, p.get("title", ""), t.get("refId", ""))
                for values in combos:
                    expr = substitute(t["expr"], values)
                    where = ", ".join(f"{k}={values[k]}" for k in values if k not in INTERVALS)
                    try:
                        n = query(prom, expr)
                    except Exception as e:  # noqa: BLE001
                        print(f"panels FAIL: {src} (uid {uid}) panel {p.get('title')!r} "
                              f"target {t.get('refId')} [{where}]: {e}: {expr}")
                        failed += 1
                        continue
                    if n:
                        ok += 1
                    elif key in ALLOWED:
                        allowed += 1
                    else:
                        empty.append((f"{src} (uid {uid}) panel {p.get('title')!r} "
                                      f"target {t.get('refId')} [{where}]", expr))
        if n_targets == 0:
            print(f"panels FAIL: {src} (uid {uid}) has no panel query")
            failed += 1
        print(f"panels: {src} (uid {uid}): {n_targets} queries x {len(combos)} variable value(s)")
    deadline = time.monotonic() + wait_s
    while empty and time.monotonic() < deadline:
        time.sleep(5)
        still = []
        for what, expr in empty:
            try:
                n = query(prom, expr)
            except Exception:  # noqa: BLE001 - it parsed before; count it as empty
                n = 0
            if n:
                ok += 1
            else:
                still.append((what, expr))
        empty = still
    for what, expr in empty:
        print(f"panels FAIL: {what} returns no data: {expr}")
        failed += 1
    print(f"panels: {ok} queries with data, {allowed} allowed empty, {failed} failed")
    return 1 if failed or not dashboards else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
