"""Every pod the chart runs, with every supported combination of values, is hardened and
operable: non-root, read-only root filesystem, all capabilities dropped, no privilege
escalation, seccomp RuntimeDefault, resources (requests and a memory limit), liveness and
readiness probes on every long-running container, and images pinned by version."""
import glob
import os

import yaml

from chart_lib import CHART, check, finish, require_helm, template

require_helm()
cases = [None] + sorted(glob.glob(os.path.join(CHART, "ci", "*.yaml")))
pods = 0
for case in cases:
    values = yaml.safe_load(open(case)) if case else None
    label = os.path.basename(case) if case else "defaults"
    for o in template(values):
        if o["kind"] not in ("Deployment", "StatefulSet", "DaemonSet"):
            continue
        pods += 1
        where = f"{label}: {o['kind']} {o['metadata']['name']}"
        spec = o["spec"]["template"]["spec"]
        psc = spec.get("securityContext", {})
        check(psc.get("runAsNonRoot") is True and psc.get("runAsUser", 0) > 0,
              f"{where}: pod runAsNonRoot with a non-zero uid")
        check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
              f"{where}: seccomp RuntimeDefault")
        for c in spec.get("initContainers", []) + spec["containers"]:
            cw = f"{where} container {c['name']}"
            sc = c.get("securityContext", {})
            check(sc.get("readOnlyRootFilesystem") is True and
                  sc.get("allowPrivilegeEscalation") is False and
                  sc.get("capabilities", {}).get("drop") == ["ALL"] and
                  not sc.get("capabilities", {}).get("add") and sc.get("privileged") is not True,
                  f"{cw}: read-only root, no escalation, capabilities drop ALL")
            res = c.get("resources", {})
            check(res.get("requests", {}).get("cpu") and res.get("requests", {}).get("memory")
                  and res.get("limits", {}).get("memory"),
                  f"{cw}: cpu/memory requests and a memory limit")
            image = c["image"]
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
            check(tag and tag != "latest" and any(ch.isdigit() for ch in tag),
                  f"{cw}: image pinned by version ({image})")
            if c in spec["containers"]:
                check("livenessProbe" in c and "readinessProbe" in c,
                      f"{cw}: liveness and readiness probes")
check(pods >= 5, f"{pods} workloads checked across {len(cases)} value sets")
finish()
