"""The chart ships exactly what the repository defines: its crds/ and dashboards/ are
byte-identical to the top-level ones, and its templated RBAC has exactly the rules of
charts/pulse/files/*.yaml (operator, config-sync, prometheus) (only names and namespaces differ), in both cluster-wide and
namespace-scoped modes."""
import filecmp
import os

import yaml

from chart_lib import CHART, SOURCE, check, fail, finish, ok, require_helm, template

require_helm()


def same_dir(top, shipped, pattern_ext):
    a = sorted(f for f in os.listdir(top) if f.endswith(pattern_ext))
    b = sorted(f for f in os.listdir(shipped) if f.endswith(pattern_ext))
    check(a == b, f"{os.path.relpath(shipped, SOURCE)} has the same files as "
          f"{os.path.relpath(top, SOURCE)}: {b} vs {a}")
    for f in a:
        if f in b:
            check(filecmp.cmp(os.path.join(top, f), os.path.join(shipped, f), shallow=False),
                  f"{f} byte-identical (copy {os.path.relpath(top, SOURCE)}/{f} into the chart)")


same_dir(os.path.join(SOURCE, "crds"), os.path.join(CHART, "crds"), ".yaml")
same_dir(os.path.join(SOURCE, "dashboards"), os.path.join(CHART, "dashboards"), ".json")


def file_objects(name):
    with open(os.path.join(CHART, "files", name)) as f:
        return {o["kind"]: o for o in yaml.safe_load_all(f) if o}


def find(objects, kind, name, namespace=None):
    for o in objects:
        m = o["metadata"]
        if o["kind"] == kind and m["name"] == name and (namespace is None or
                                                         m.get("namespace") == namespace):
            return o
    return None


op_file = file_objects("operator-rbac.yaml")
sync_file = file_objects("config-sync-rbac.yaml")
NS = "monitoring"

# Cluster-wide mode (default values).
objs = template(namespace=NS, release="pulse")
cr = find(objs, "ClusterRole", "pulse-operator")
role = find(objs, "Role", "pulse-operator", NS)
check(cr is not None and cr["rules"] == op_file["ClusterRole"]["rules"],
      "operator ClusterRole rules == files/operator-rbac.yaml ClusterRole rules")
check(role is not None and role["rules"] == op_file["Role"]["rules"],
      "operator Role (release namespace) rules == files/operator-rbac.yaml Role rules")
crb = find(objs, "ClusterRoleBinding", "pulse-operator")
rb = find(objs, "RoleBinding", "pulse-operator", NS)
sa = find(objs, "ServiceAccount", "pulse-operator", NS)
deploy = find(objs, "Deployment", "pulse-operator", NS)
check(sa is not None and deploy["spec"]["template"]["spec"]["serviceAccountName"] == "pulse-operator",
      "the operator Deployment runs as the file's ServiceAccount, in the release namespace")
for b in (crb, rb):
    check(b is not None and b["subjects"] == [{"kind": "ServiceAccount", "name": "pulse-operator",
                                               "namespace": NS}]
          and b["roleRef"]["name"] == "pulse-operator",
          f"{b and b['kind']} binds the operator ServiceAccount to its role")
args = deploy["spec"]["template"]["spec"]["containers"][0]["args"]
check(f"--output-namespace={NS}" in args and not any(a.startswith("--namespaces") for a in args),
      "cluster-wide: --output-namespace is the release namespace, no --namespaces")

# The config-sync file: its Role, bound to the Prometheus pod's ServiceAccount.
srole = find(objs, "Role", "pulse-config-sync", NS)
check(srole is not None and srole["rules"] == sync_file["Role"]["rules"],
      "config-sync Role rules == files/config-sync-rbac.yaml Role rules")
sts = find(objs, "StatefulSet", "pulse-prometheus", NS)
pod_sa = sts["spec"]["template"]["spec"]["serviceAccountName"]
srb = find(objs, "RoleBinding", "pulse-config-sync", NS)
check(srb is not None and srb["subjects"] == [{"kind": "ServiceAccount", "name": pod_sa,
                                               "namespace": NS}]
      and find(objs, "ServiceAccount", pod_sa, NS) is not None,
      f"config-sync Role bound to the Prometheus pod's ServiceAccount {pod_sa}, which exists")

# The Prometheus file: its ClusterRole (discovery), bound to the same pod ServiceAccount.
prom_file = file_objects("prometheus-rbac.yaml")
pcr = find(objs, "ClusterRole", "pulse-prometheus")
check(pcr is not None and pcr["rules"] == prom_file["ClusterRole"]["rules"],
      "Prometheus ClusterRole rules == files/prometheus-rbac.yaml ClusterRole rules")
pcrb = find(objs, "ClusterRoleBinding", "pulse-prometheus")
check(pcrb is not None and pcrb["subjects"] == [{"kind": "ServiceAccount", "name": pod_sa,
                                                 "namespace": NS}],
      f"Prometheus ClusterRoleBinding binds the pod's ServiceAccount {pod_sa}")

# Another release name: every name moves with it, rules stay.
objs2 = template(namespace="obs", release="team-a")
check(find(objs2, "ClusterRole", "team-a-pulse-operator") is not None and
      find(objs2, "ClusterRole", "pulse-operator") is None,
      "release team-a: ClusterRole team-a-pulse-operator (two releases do not collide)")

# Namespace-scoped mode: the ClusterRole's rules in a Role per watched namespace, no ClusterRole.
watched = ["shop", "crm"]
objs3 = template({"operator": {"watchNamespaces": watched}}, namespace=NS)
check(find(objs3, "ClusterRole", "pulse-operator") is None and
      find(objs3, "ClusterRoleBinding", "pulse-operator") is None,
      "namespace-scoped: no operator ClusterRole / ClusterRoleBinding")
for ns in watched:
    r = find(objs3, "Role", "pulse-operator-watch", ns)
    b = find(objs3, "RoleBinding", "pulse-operator-watch", ns)
    check(r is not None and r["rules"] == op_file["ClusterRole"]["rules"],
          f"namespace-scoped: Role in {ns} has the file's ClusterRole rules")
    check(b is not None and b["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io",
                                             "kind": "Role", "name": "pulse-operator-watch"}
          and b["subjects"][0]["name"] == "pulse-operator" and b["subjects"][0]["namespace"] == NS,
          f"namespace-scoped: RoleBinding in {ns} binds the operator ServiceAccount")
for ns in watched + [NS]:
    r = find(objs3, "Role", "pulse-prometheus-discovery", ns)
    check(r is not None and r["rules"] == prom_file["ClusterRole"]["rules"],
          f"namespace-scoped: Prometheus discovery Role in {ns} has the file's rules")
role3 = find(objs3, "Role", "pulse-operator", NS)
check(role3 is not None and role3["rules"] == op_file["Role"]["rules"],
      "namespace-scoped: the output-namespace Role is unchanged")
args3 = find(objs3, "Deployment", "pulse-operator", NS)["spec"]["template"]["spec"][
    "containers"][0]["args"]
check("--namespaces=shop,crm" in args3, "namespace-scoped: --namespaces=shop,crm")
check(not any(o["kind"] in ("ClusterRole", "ClusterRoleBinding") and
              o["metadata"]["name"] == "pulse-prometheus" and
              any("services" in r["resources"] for r in o.get("rules", [])) for o in objs3),
      "namespace-scoped: Prometheus discovery is not cluster-wide")

# No "*" anywhere in any rule the chart grants.
for values in (None, {"operator": {"watchNamespaces": watched}, "nodeExporter": {"enabled": True}}):
    for o in template(values, namespace=NS):
        for rule in o.get("rules", []) if o["kind"] in ("Role", "ClusterRole") else []:
            if any("*" in v for k in ("apiGroups", "resources", "verbs") for v in rule.get(k, [])):
                fail(f"{o['kind']} {o['metadata']['name']} grants '*': {rule}")
ok("no rule of any Role/ClusterRole contains '*'")
finish()
