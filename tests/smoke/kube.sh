#!/usr/bin/env bash
# The local control plane is real: kubectl sees server v1.36.3, a CRD becomes Established and
# serves a custom resource (and rejects one that breaks its schema), and the garbage collector
# in kube-controller-manager deletes a dependent whose owner was deleted.
source "$(dirname "$0")/lib.sh"
export KUBECONFIG="$(envof kube KUBECONFIG)"
k() { kubectl --request-timeout=20s "$@"; }
here="$(dirname "$0")"

server="$(k version -o json 2>/dev/null | jq -r .serverVersion.gitVersion)"
expect_eq "server version" v1.36.3 "$server"

k apply -f "$here/testdata/widget-crd.yaml" >/dev/null
k wait --for=condition=Established --timeout=60s crd/widgets.smoke.pulse.dev >/dev/null || fail "CRD not Established"
pass "CRD Established"
ns="smoke-$$"
k create namespace "$ns" >/dev/null
retry 30 k -n "$ns" apply -f - >/dev/null <<YAML || fail "create widget"
apiVersion: smoke.pulse.dev/v1
kind: Widget
metadata: {name: w1}
spec: {size: 3}
YAML
expect_eq "widget read back" 3 "$(k -n "$ns" get widget w1 -o jsonpath='{.spec.size}')"
if out="$(k -n "$ns" apply -f - 2>&1 <<YAML
apiVersion: smoke.pulse.dev/v1
kind: Widget
metadata: {name: w2}
spec: {size: 0}
YAML
)"; then fail "schema violation accepted"; fi
expect_match "schema violation rejected" 'spec.size: Invalid value' "$out"

# Garbage collection through ownerReferences.
k -n "$ns" create configmap owner --from-literal=a=b >/dev/null
uid="$(k -n "$ns" get configmap owner -o jsonpath='{.metadata.uid}')"
k -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: dependent
  ownerReferences:
    - {apiVersion: v1, kind: ConfigMap, name: owner, uid: "$uid"}
data: {x: "y"}
YAML
k -n "$ns" get configmap dependent >/dev/null || fail "dependent not created"
k -n "$ns" delete configmap owner --wait=true >/dev/null
retry 60 bash -c "! kubectl -n '$ns' get configmap dependent >/dev/null 2>&1" || fail "garbage collector did not delete the dependent"
pass "garbage collector deleted the dependent of a deleted owner"

# The namespace controller finalizes a deleted namespace (its content goes with it).
k delete namespace "$ns" --wait=false >/dev/null
retry 90 bash -c "! kubectl get namespace '$ns' >/dev/null 2>&1" || fail "namespace controller did not remove $ns"
pass "namespace controller removed $ns"
k delete -f "$here/testdata/widget-crd.yaml" >/dev/null
