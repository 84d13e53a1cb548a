#!/usr/bin/env python3
"""Runs promtool over one rendered output directory (a golden case or a fresh render).

  promtool_check.py config     PROMTOOL DIR   promtool check config DIR/prometheus.yml
  promtool_check.py rules      PROMTOOL DIR   promtool check rules DIR/rules/*.yaml
  promtool_check.py dashboards PROMTOOL DIR   every panel's PromQL must parse, and the
                                              dashboard JSON must have the shape Grafana needs

`check config` stats every file a config references (TLS files, credentials files). The rendered
config points at Secret files under /etc/prometheus/secrets and at API-server TLS files that do
not exist on a test machine, so the config is copied into a temporary directory, every
*_file path is rewritten to an empty file created there, and the copy is checked. Nothing else
in the config is changed.

Exit status 0 when promtool says SUCCESS for everything, 1 otherwise (promtool's output shown).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

FILE_KEYS = ("ca_file", "cert_file", "key_file", "credentials_file", "password_file",
             "username_file", "bearer_token_file")
# Grafana's variables, replaced by values PromQL accepts, so promtool can parse the query.
# Longest names first: "$__range_s" before "$__range".
GRAFANA_VARS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range_s": "3600",
                "$__range": "1h"}
# A dashboard's own query variables are replaced by this sample value.
VARIABLE_SAMPLE = "ns/name"
LABEL_VALUES = re.compile(r"^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$", re.S)


def run(cmd, cwd=None):
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    sys.stdout.write(proc.stdout)
    return proc.returncode == 0 and "FAILED" not in proc.stdout


def check_config(promtool, outdir):
    with tempfile.TemporaryDirectory(prefix="pulse-promtool-") as tmp:
        shutil.copytree(outdir, os.path.join(tmp, "out"))
        config = os.path.join(tmp, "out", "prometheus.yml")
        files_root = os.path.join(tmp, "files")
        pattern = re.compile(r"^(\s*(?:%s): )(\S.*)$" % "|".join(FILE_KEYS))
        lines = []
        with open(config, encoding="utf-8") as f:
            for line in f:
                m = pattern.match(line.rstrip("\n"))
                if m:
                    value = m.group(2).strip('"')
                    local = os.path.join(files_root, value.lstrip("/"))
                    os.makedirs(os.path.dirname(local), exist_ok=True)
                    open(local, "a").close()
                    line = "%s%s\n" % (m.group(1), json.dumps(local))
                lines.append(line)
        with open(config, "w", encoding="utf-8") as f:
            f.writelines(lines)
        return run([promtool, "check", "config", config])


def check_rules(promtool, outdir):
    rules_dir = os.path.join(outdir, "rules")
    files = sorted(os.path.join(rules_dir, n) for n in os.listdir(rules_dir) if n.endswith(".yaml"))
    if not files:
        print("no rule files in", rules_dir)
        return False
    return run([promtool, "check", "rules"] + files)


def dashboard_problems(path, board, seen_uids):
    problems = []
    uid = board.get("uid", "")
    if not uid or len(uid) > 40:
        problems.append("uid %r missing or longer than 40 characters" % uid)
    if uid in seen_uids:
        problems.append("uid %r also used by %s" % (uid, seen_uids[uid]))
    seen_uids[uid] = path
    if not isinstance(board.get("schemaVersion"), int) or board["schemaVersion"] < 36:
        problems.append("schemaVersion missing or < 36")
    variables = board.get("templating", {}).get("list", [])
    if not any(v.get("name") == "datasource" and v.get("type") == "datasource" and
               v.get("query") == "prometheus" for v in variables):
        problems.append("no `datasource` template variable of type prometheus")
    ids = set()
    for panel in board.get("panels", []):
        pid = panel.get("id")
        if pid in ids:
            problems.append("panel id %r used twice" % pid)
        ids.add(pid)
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in ("x", "y", "w", "h")) or \
                grid["x"] + grid["w"] > 24:
            problems.append("panel %r: bad gridPos %r" % (panel.get("title"), grid))
        if panel.get("type") == "row":
            continue
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            problems.append("panel %r does not use ${datasource}" % panel.get("title"))
        targets = panel.get("targets", [])
        if not targets or not all(t.get("expr") for t in targets):
            problems.append("panel %r has no query" % panel.get("title"))
    return problems


def check_dashboards(promtool, outdir):
    dash_dir = os.path.join(outdir, "dashboards")
    names = sorted(n for n in os.listdir(dash_dir) if n.endswith(".json"))
    if not names:
        print("no dashboards in", dash_dir)
        return False
    ok = True
    seen_uids = {}
    rules = []
    for name in names:
        path = os.path.join(dash_dir, name)
        with open(path, encoding="utf-8") as f:
            board = json.load(f)
        for problem in dashboard_problems(name, board, seen_uids):
            print("%s: %s" % (name, problem))
            ok = False
        own_vars = {}
        queries = []  # (what, PromQL)
        for v in board.get("templating", {}).get("list", []):
            if v.get("type") != "query":
                continue
            own_vars["$" + v["name"]] = VARIABLE_SAMPLE
            q = v.get("query", {})
            q = q.get("query", "") if isinstance(q, dict) else q
            m = LABEL_VALUES.match(q)
            if not m:
                print("%s: variable %s: not label_values(selector, label): %r" % (name, v["name"], q))
                ok = False
                continue
            queries.append(("variable " + v["name"], m.group(1)))
        for panel in board.get("panels", []):
            for target in panel.get("targets", []):
                queries.append((panel.get("title", ""), target.get("expr", "")))
        for what, expr in queries:
            for var, value in sorted(list(GRAFANA_VARS.items()) + list(own_vars.items()),
                                     key=lambda kv: -len(kv[0])):
                expr = expr.replace(var, value)
            if "$" in expr:
                print("%s: %s: undefined variable in %r" % (name, what, expr))
                ok = False
            rules.append({"record": "pulse_dashboard_query_%d" % len(rules), "expr": expr,
                          "labels": {"dashboard": name, "panel": what}})
    print("%d dashboards, %d queries" % (len(names), len(rules)))
    with tempfile.TemporaryDirectory(prefix="pulse-dashboards-") as tmp:
        rule_file = os.path.join(tmp, "dashboard_queries.yaml")
        with open(rule_file, "w", encoding="utf-8") as f:
            # JSON is YAML: no quoting questions.
            json.dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}, f, indent=1)
        ok = run([promtool, "check", "rules", rule_file]) and ok
    return ok


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("config", "rules", "dashboards"):
        print(__doc__)
        return 2
    kind, promtool, outdir = sys.argv[1:]
    check = {"config": check_config, "rules": check_rules, "dashboards": check_dashboards}[kind]
    return 0 if check(promtool, outdir) else 1


if __name__ == "__main__":
    sys.exit(main())
