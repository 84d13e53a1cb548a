#!/usr/bin/env python3
"""Validates deploy/docker-compose.yml as far as a machine without a container engine can.

No `docker compose config` runs here, so this checks what Compose itself would reject or what
would break at `up`, against the files in the repository:
  - the shapes the Compose spec requires: top-level keys, every service has `image` or `build`
    (a build context and Dockerfile that exist), images pinned by a version tag, ports
    "[HOST:]CONTAINER[/PROTO]" with valid numbers and no host port twice, `depends_on` naming
    services (service_healthy only on a service with a healthcheck), volumes whose bind source
    exists in the repository and whose named volume is declared, environment as a mapping;
  - what the services say to each other: every scrape target, the Alertmanager, Grafana's
    datasource URL, the load generator's targets and the exporters' RabbitMQ/PostgreSQL/S3
    addresses are compose services, on a port the service listens on where its command (or
    its Dockerfile's CMD) says;
  - the generated files as mounted: Prometheus' rule_files resolve inside the container to the
    mounted rules, `promtool check config` and `promtool check rules` pass, every rendered
    exporter config is mounted into a service named pulse-exporter-<name> at the path the
    Dockerfile's command reads and passes `pulse-exporter --check` with exactly that service's
    environment (whose credentials are the ones in deploy/crs/secrets.yaml), `amtool
    check-config` accepts the Alertmanager config, and the generated RED and overview
    dashboards are the shipped dashboards/ files (so mounting generated/ alone loses nothing);
  - with DEMO_BIN_DIR: each demo service's command line is accepted by that binary's parser.

  compose_check.py COMPOSE_FILE REPO_ROOT PROMTOOL PULSE_EXPORTER AMTOOL [DEMO_BIN_DIR]
Exit status 0 when everything holds; 1 with one line per problem otherwise.
"""
import glob
import json
import os
import re
import subprocess
import sys
from urllib.parse import urlparse

import yaml

TOP_LEVEL = {"version", "name", "services", "networks", "volumes", "configs", "secrets", "include"}
# Service keys of the Compose spec this file may use; anything else is most likely a typo.
SERVICE_KEYS = {
    "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "volumes",
    "depends_on", "healthcheck", "restart", "user", "working_dir", "networks", "labels",
    "expose", "read_only", "tmpfs", "cap_drop", "cap_add", "security_opt", "deploy",
    "container_name", "hostname", "profiles", "pull_policy", "init", "stop_grace_period",
    "stop_signal", "ulimits", "extra_hosts", "logging", "mem_limit", "cpus", "platform",
}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
PORT_RE = re.compile(r"^(?:(?:(?P<ip>[0-9.]+):)?(?P<host>\d+):)?(?P<container>\d+)(?:/(?P<proto>tcp|udp))?$")


def _port_ok(text):
    return text.isdigit() and 1 <= int(text) <= 65535


def parse_mount(spec):
    """Short volume syntax SRC:DST[:MODE] or long syntax -> (source, target, is_bind)."""
    if isinstance(spec, dict):
        return spec.get("source"), spec.get("target"), spec.get("type") == "bind"
    parts = str(spec).split(":")
    if len(parts) == 1:
        return None, parts[0], False  # anonymous volume
    src, dst = parts[0], parts[1]
    return src, dst, src.startswith((".", "/", "~"))


def check_structure(doc, compose_dir):
    """Compose-spec shape problems of the parsed file; paths relative to compose_dir."""
    errors = []
    if not isinstance(doc, dict):
        return ["the compose file is not a YAML mapping"]
    for key in doc:
        if key not in TOP_LEVEL and not str(key).startswith("x-"):
            errors.append(f"top level: unknown key '{key}'")
    services = doc.get("services")
    if not isinstance(services, dict) or not services:
        return errors + ["services: missing or empty"]
    volumes = doc.get("volumes") or {}
    host_ports = {}
    for name, svc in services.items():
        where = f"services.{name}"
        if not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", str(name)):
            errors.append(f"{where}: invalid service name")
        if not isinstance(svc, dict):
            errors.append(f"{where}: not a mapping")
            continue
        for key in svc:
            if key not in SERVICE_KEYS and not str(key).startswith("x-"):
                errors.append(f"{where}: unknown key '{key}'")
        if "image" not in svc and "build" not in svc:
            errors.append(f"{where}: needs 'image' or 'build'")
        image = svc.get("image")
        if image is not None:
            tag = str(image).rsplit("/", 1)[-1].partition(":")[2]
            if not tag or tag == "latest":
                errors.append(f"{where}.image: '{image}' is not pinned to a version")
        build = svc.get("build")
        if build is not None:
            context = build if isinstance(build, str) else build.get("context", ".")
            ctx = os.path.normpath(os.path.join(compose_dir, context))
            if not os.path.isdir(ctx):
                errors.append(f"{where}.build.context: {ctx} does not exist")
            elif isinstance(build, dict) and "dockerfile" in build:
                dockerfile = os.path.join(ctx, build["dockerfile"])
                if not os.path.isfile(dockerfile):
                    errors.append(f"{where}.build.dockerfile: {dockerfile} does not exist")
        for port in svc.get("ports") or []:
            m = PORT_RE.match(str(port)) if not isinstance(port, dict) else None
            if m is None or not _port_ok(m["container"]) or (m["host"] and not _port_ok(m["host"])):
                errors.append(f"{where}.ports: '{port}' is not [HOST:]CONTAINER[/tcp|udp]")
                continue
            if m["host"]:
                other = host_ports.setdefault((m["host"], m["proto"] or "tcp"), name)
                if other != name:
                    errors.append(f"{where}.ports: host port {m['host']} is also published by {other}")
        deps = svc.get("depends_on") or []
        dep_items = deps.items() if isinstance(deps, dict) else ((d, {}) for d in deps)
        for dep, how in dep_items:
            if dep not in services:
                errors.append(f"{where}.depends_on: '{dep}' is not a service")
                continue
            condition = (how or {}).get("condition", "service_started")
            if condition not in CONDITIONS:
                errors.append(f"{where}.depends_on.{dep}: unknown condition '{condition}'")
            if condition == "service_healthy" and "healthcheck" not in (services[dep] or {}):
                errors.append(f"{where}.depends_on.{dep}: service_healthy but {dep} has no healthcheck")
        for spec in svc.get("volumes") or []:
            src, dst, is_bind = parse_mount(spec)
            if not dst or not str(dst).startswith("/"):
                errors.append(f"{where}.volumes: '{spec}' has no absolute container path")
            if is_bind:
                path = os.path.normpath(os.path.join(compose_dir, os.path.expanduser(src)))
                if not os.path.exists(path):
                    errors.append(f"{where}.volumes: mount source {path} does not exist")
            elif src is not None and src not in volumes:
                errors.append(f"{where}.volumes: named volume '{src}' is not declared under volumes:")
        env = svc.get("environment")
        if env is not None and not isinstance(env, dict):
            errors.append(f"{where}.environment: use a mapping (NAME: value)")
        elif env:
            for k, v in env.items():
                if not isinstance(v, str):
                    errors.append(f"{where}.environment.{k}: quote the value ({v!r} is not a string)")
        hc = svc.get("healthcheck")
        if hc is not None:
            test = hc.get("test") if isinstance(hc, dict) else None
            if not (isinstance(test, list) and test and test[0] in ("CMD", "CMD-SHELL", "NONE")):
                errors.append(f"{where}.healthcheck.test: a list starting with CMD, CMD-SHELL or NONE")
        cmd = svc.get("command")
        if cmd is not None and not (isinstance(cmd, str) or all(isinstance(c, str) for c in cmd)):
            errors.append(f"{where}.command: a string or a list of strings")
    return errors


def host_path(svc, container_path, compose_dir):
    """The repository path a bind mount of svc puts at container_path, or None."""
    for spec in svc.get("volumes") or []:
        src, dst, is_bind = parse_mount(spec)
        if not is_bind:
            continue
        dst = dst.rstrip("/")
        if container_path == dst or container_path.startswith(dst + "/"):
            return os.path.normpath(os.path.join(compose_dir, src) + container_path[len(dst):])
    return None


def host_of(address):
    if "://" in address:
        return urlparse(address).hostname
    return address.rsplit(":", 1)[0]


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return r.returncode, (r.stdout + r.stderr).strip()


def listen_ports(svc, compose_dir):
    """Ports a service's own process listens on: its published/exposed container ports and its
    --listen/--metrics-listen flags (from its Dockerfile's CMD when the compose file keeps the
    image's command)."""
    args = svc.get("command")
    if args is None and isinstance(svc.get("build"), dict):
        build = svc["build"]
        dockerfile = os.path.join(compose_dir, build.get("context", "."),
                                  build.get("dockerfile", ""))
        text = open(dockerfile).read() if os.path.isfile(dockerfile) else ""
        m = re.search(r"^CMD (\[.*\])$", text, re.M)
        args = json.loads(m.group(1)) if m else []
    args = [args] if isinstance(args, str) else list(args or [])
    # The container side of published and exposed ports: where the image listens by default.
    published = (svc.get("ports") or []) + (svc.get("expose") or [])
    ports = {str(p).split("/")[0].rsplit(":", 1)[-1] for p in published}
    for i, a in enumerate(args):
        flag, eq, value = a.partition("=")
        if flag in ("--listen", "--metrics-listen"):
            value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            ports.add(value.rsplit(":", 1)[-1])
    return ports


def check_address(services, compose_dir, where, address):
    """An address another service uses: the host is a compose service, and the port one it
    listens on when its command says (the other images listen where their defaults are)."""
    host = host_of(address)
    if host not in services:
        return [f"{where}: {address} is not a compose service"]
    port = urlparse(address).port if "://" in address else address.rsplit(":", 1)[-1]
    known = listen_ports(services[host], compose_dir)
    if known and port is not None and str(port) not in known:
        return [f"{where}: {address}: {host} listens on {', '.join(sorted(known))}, not {port}"]
    return []


def check_prometheus(services, compose_dir, promtool):
    errors = []
    prom = services.get("prometheus")
    if prom is None:
        return ["services: no 'prometheus'"]
    flags = prom.get("command") or []
    if "--web.enable-lifecycle" not in flags:
        errors.append("services.prometheus.command: --web.enable-lifecycle missing (reload after render)")
    conf_flag = [f for f in flags if f.startswith("--config.file=")]
    container_conf = conf_flag[0].split("=", 1)[1] if conf_flag else "/etc/prometheus/prometheus.yml"
    conf = host_path(prom, container_conf, compose_dir)
    if conf is None or not os.path.isfile(conf):
        return errors + [f"services.prometheus: {container_conf} is not mounted from a file"]
    config = yaml.safe_load(open(conf))
    for pattern in config.get("rule_files") or []:
        in_container = os.path.join(os.path.dirname(container_conf), pattern)
        on_host = host_path(prom, in_container, compose_dir)
        if on_host is None or not glob.glob(on_host):
            errors.append(f"prometheus.yml rule_files '{pattern}': nothing mounted at {in_container}")
        for rule_file in sorted(glob.glob(on_host or "")):
            rc, out = run([promtool, "check", "rules", rule_file])
            if rc != 0:
                errors.append(f"promtool check rules {rule_file}: {out}")
    rc, out = run([promtool, "check", "config", conf])
    if rc != 0:
        errors.append(f"promtool check config {conf}: {out}")
    targets = []
    for job in config.get("scrape_configs") or []:
        if "static_configs" not in job:
            errors.append(f"prometheus.yml job {job.get('job_name')}: not static (no Kubernetes in compose)")
        for group in job.get("static_configs") or []:
            targets += [(job["job_name"], t) for t in group.get("targets", [])]
    for am in (config.get("alerting") or {}).get("alertmanagers") or []:
        for group in am.get("static_configs") or []:
            targets += [("alerting", t) for t in group.get("targets", [])]
    for job, target in targets:
        errors += check_address(services, compose_dir, f"prometheus.yml {job}", target)
    return errors


def check_loadgen(services, compose_dir):
    errors = []
    for name, svc in services.items():
        for a in svc.get("command") or []:
            if isinstance(a, str) and a.startswith("--target="):
                for item in a.split("=", 1)[1].split(","):
                    address = item.partition("=")[2]
                    errors += check_address(services, compose_dir, f"services.{name} --target", address)
    return errors


def exporter_config_path(repo):
    """The config path pulse-exporter's image reads (its Dockerfile's CMD)."""
    text = open(os.path.join(repo, "deploy/docker/pulse-exporter.Dockerfile")).read()
    m = re.search(r'^CMD \[.*"--config", "([^"]+)"', text, re.M)
    return m.group(1) if m else None


def secret_values(compose_dir):
    values = set()
    for doc in yaml.safe_load_all(open(os.path.join(compose_dir, "crs", "secrets.yaml"))):
        if doc and doc.get("kind") == "Secret":
            values.update(str(v) for v in (doc.get("stringData") or {}).values())
    return values


def check_exporters(services, compose_dir, repo, exporter_bin):
    errors = []
    generated = os.path.join(compose_dir, "generated", "exporters")
    configs = sorted(glob.glob(os.path.join(generated, "*", "*.yaml")))
    if not configs:
        return [f"no exporter configs under {generated}"]
    container_path = exporter_config_path(repo)
    if container_path is None:
        return ["deploy/docker/pulse-exporter.Dockerfile: no CMD with --config"]
    secrets = secret_values(compose_dir)
    for config in configs:
        name = os.path.splitext(os.path.basename(config))[0]
        svc_name = f"pulse-exporter-{name}"
        svc = services.get(svc_name)
        if svc is None:
            errors.append(f"{os.path.relpath(config, compose_dir)}: no service {svc_name} runs it")
            continue
        if host_path(svc, container_path, compose_dir) != os.path.normpath(config):
            errors.append(f"services.{svc_name}: {container_path} is not mounted from {config}")
        env = {k: str(v) for k, v in (svc.get("environment") or {}).items()}
        for k, v in env.items():
            if k.startswith("PULSE_") and v not in secrets:
                errors.append(f"services.{svc_name}.environment.{k}: not a value of deploy/crs/secrets.yaml")
        rc, out = run([exporter_bin, "--check", "--config", config],
                      env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env})
        if rc != 0:
            errors.append(f"pulse-exporter --check {svc_name} (its environment only): {out}")
        parsed = yaml.safe_load(open(config))
        for target in parsed.get("targets") or []:
            for block in ("rabbitmq", "s3", "postgresql"):
                b = target.get(block) or {}
                address = b.get("url") or b.get("endpoint") or b.get("host")
                if address:
                    errors += check_address(services, compose_dir, f"{svc_name} {block}", address)
    return errors


def check_grafana(services, compose_dir, repo):
    errors = []
    g = services.get("grafana")
    if g is None:
        return ["services: no 'grafana'"]
    ds_dir = host_path(g, "/etc/grafana/provisioning/datasources", compose_dir)
    ds_files = glob.glob(os.path.join(ds_dir, "*.yaml")) if ds_dir and os.path.isdir(ds_dir) else []
    for spec in g.get("volumes") or []:
        src, dst, is_bind = parse_mount(spec)
        if is_bind and dst.startswith("/etc/grafana/provisioning/datasources/"):
            ds_files.append(os.path.normpath(os.path.join(compose_dir, src)))
    if not ds_files:
        errors.append("services.grafana: no datasource provisioning file mounted")
    for f in ds_files:
        for ds in yaml.safe_load(open(f)).get("datasources") or []:
            errors += check_address(services, compose_dir, f"{f} datasource", ds.get("url", ""))
    providers = []
    for spec in g.get("volumes") or []:
        src, dst, is_bind = parse_mount(spec)
        if is_bind and dst.startswith("/etc/grafana/provisioning/dashboards/"):
            providers += yaml.safe_load(open(os.path.join(compose_dir, src))).get("providers") or []
    if not providers:
        errors.append("services.grafana: no dashboard provider mounted")
    for p in providers:
        path = (p.get("options") or {}).get("path", "")
        on_host = host_path(g, path, compose_dir)
        found = sorted(glob.glob(os.path.join(on_host or "/nonexistent", "*.json")))
        if not found:
            errors.append(f"dashboard provider {p.get('name')}: no dashboards mounted at {path}")
        for f in found:
            try:
                json.load(open(f))
            except json.JSONDecodeError as e:
                errors.append(f"{f}: not valid JSON: {e}")
                continue
            shipped = os.path.join(repo, "dashboards", "pulse-" + os.path.basename(f))
            if os.path.exists(shipped) and open(shipped).read() != open(f).read():
                errors.append(f"{f} differs from {shipped}: re-render (deploy/render.sh)")
    return errors


# What the demo binaries print for a command line they refuse (demo/flags.cc, the loadgen's
# checks); anything else (a backend host that does not resolve here) comes after the flags.
FLAG_ERROR = re.compile(r"unknown flag|needs a value|takes no value|is not a number|"
                        r"is not an integer|unexpected argument|\(see pulse-demo-")


def check_demo_flags(services, bin_dir):
    """Each demo service's command is accepted by the binary's own parser: run for 3 s with the
    compose arguments (listen addresses moved to free loopback ports), no flag error may be
    printed; with an unknown flag put first, it must be refused (so the check is not vacuous)."""
    errors, runs = [], []
    for name, svc in services.items():
        cmd = svc.get("command")
        if not (isinstance(cmd, list) and cmd and str(cmd[0]).startswith("pulse-demo-")):
            continue
        binary = os.path.join(bin_dir, cmd[0])
        if not os.access(binary, os.X_OK):
            errors.append(f"services.{name}: {binary} not built")
            continue
        args = [re.sub(r"^(--(?:metrics-)?listen=).*", r"\g<1>127.0.0.1:0", a) for a in cmd[1:]]
        for extra in ([], ["--no-such-flag=1"]):
            p = subprocess.Popen(["timeout", "3", binary, *extra, *args], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
            runs.append((name, extra, p))
    for name, extra, p in runs:
        out = p.communicate()[0]
        refused = FLAG_ERROR.search(out)
        if not extra and refused:
            errors.append(f"services.{name}.command: refused by the binary: {out.strip()[:300]}")
        if extra and not (refused and "--no-such-flag" in out):
            errors.append(f"services.{name}: an unknown flag was not refused: {out.strip()[:300]}")
    return errors


def main(argv):
    if len(argv) not in (6, 7):
        print(__doc__, file=sys.stderr)
        return 2
    compose_file, repo, promtool, exporter_bin, amtool = argv[1:6]
    demo_bin_dir = argv[6] if len(argv) == 7 else None
    compose_dir = os.path.dirname(os.path.abspath(compose_file))
    try:
        doc = yaml.safe_load(open(compose_file))
    except yaml.YAMLError as e:
        print(f"{compose_file}: not valid YAML: {e}")
        return 1
    errors = check_structure(doc, compose_dir)
    if not errors:
        services = doc["services"]
        errors += check_prometheus(services, compose_dir, promtool)
        errors += check_exporters(services, compose_dir, repo, exporter_bin)
        errors += check_grafana(services, compose_dir, repo)
        errors += check_loadgen(services, compose_dir)
        if demo_bin_dir:
            errors += check_demo_flags(services, demo_bin_dir)
        am = services.get("alertmanager") or {}
        am_conf = host_path(am, "/etc/alertmanager/alertmanager.yml", compose_dir)
        if am_conf is None:
            errors.append("services.alertmanager: /etc/alertmanager/alertmanager.yml not mounted")
        else:
            rc, out = run([amtool, "check-config", am_conf])
            if rc != 0:
                errors.append(f"amtool check-config {am_conf}: {out}")
    for e in errors:
        print(f"{compose_file}: {e}")
    if errors:
        return 1
    print(f"ok: {compose_file}: {len(doc['services'])} services, mounts, Prometheus config and "
          "rules, exporter configs, Grafana provisioning and Alertmanager config check out" +
          (", demo command lines accepted" if demo_bin_dir else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
