#!/usr/bin/env bash
# Makes a local process discoverable by Prometheus' Kubernetes discovery (role endpointslice) on
# the test control plane, where no pod can run: a selector-less Service with one named port plus
# an EndpointSlice pointing at this machine — what the endpointslice controller would create for
# a ready pod. Server-side apply, so running it again is a no-op.
#
#   register-target.sh STATEDIR NAMESPACE SERVICE PORT [PORT_NAME] [LABEL=VALUE ...]
#   register-target.sh --delete STATEDIR NAMESPACE SERVICE
#   register-target.sh --print-address
#
# The apiserver refuses loopback (127.0.0.0/8) and link-local endpoint addresses, so the slice
# names this machine's first global IPv4 address (or $PULSE_TARGET_ADDRESS), which
# --print-address prints: the process must listen there (e.g. --listen ADDRESS:0), not on
# 127.0.0.1. PORT_NAME defaults to "metrics": the port name the operator's Exporter Services
# use and the examples' ApiMonitors select (spec.endpoints[].port must equal it; the rendered
# job keeps __meta_kubernetes_endpointslice_port_name). LABELs go on the Service, where an
# ApiMonitor's spec.selector matches them. NAMESPACE is created when missing. A Service that
# exists and is not ours (the operator's Service of an Exporter) is left alone and only gets the
# slice; the slice is owned by its Service, so it goes when the Service goes. --delete removes
# the slice and our own Service. STATEDIR holds the running `kube` server.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

usage() { sed -n '7,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# The address the slice names: one the apiserver accepts and that reaches this machine.
target_address() {
  local a="${PULSE_TARGET_ADDRESS:-}"
  if [[ -z "$a" ]]; then
    a="$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')"
  fi
  [[ -n "$a" ]] || die "this machine has no global IPv4 address for an EndpointSlice (loopback is refused by the apiserver); set PULSE_TARGET_ADDRESS"
  printf '%s\n' "$a"
}
if [[ "${1:-}" == --print-address ]]; then target_address; exit 0; fi
delete=false
if [[ "${1:-}" == --delete ]]; then delete=true; shift; fi
if $delete; then [[ $# -eq 3 ]] || usage; else [[ $# -ge 4 ]] || usage; fi
statedir="$1" ns="$2" service="$3"
env_file="$statedir/kube/env"
[[ -f "$env_file" ]] || die "no running kube server in $statedir (no $env_file)"
kubeconfig="$(sed -n 's/^KUBECONFIG=//p' "$env_file")"
kubectl=(kubectl --kubeconfig "$kubeconfig" --request-timeout=30s)
# DNS-1035 labels: what the apiserver accepts as Service and port names (checked here so the
# error names the argument, not a YAML line).
dns_label='^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$'
[[ "$service" =~ $dns_label ]] || die "SERVICE must be a DNS-1035 label, got '$service'"
[[ "$ns" =~ $dns_label ]] || die "NAMESPACE must be a DNS label, got '$ns'"

# The managed-by label of the Service (empty when absent or unlabelled).
service_owner() {
  "${kubectl[@]}" -n "$ns" get service "$service" --ignore-not-found \
    -o jsonpath='{.metadata.labels.app\.kubernetes\.io/managed-by}'
}

if $delete; then
  if [[ "$(service_owner)" == pulse-testenv ]]; then
    "${kubectl[@]}" -n "$ns" delete --ignore-not-found service "$service" >/dev/null
  fi
  "${kubectl[@]}" -n "$ns" delete --ignore-not-found endpointslice "$service-local" >/dev/null
  exit 0
fi

port="$4"; shift 4
address="$(target_address)"
[[ "$port" =~ ^[0-9]+$ ]] && ((port >= 1 && port <= 65535)) || die "PORT must be 1-65535, got '$port'"
port_name=metrics
if [[ $# -gt 0 && "$1" != *=* ]]; then port_name="$1"; shift; fi
[[ "$port_name" =~ ^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$ ]] || die "PORT_NAME must be an IANA service name (a-z0-9-, ≤15), got '$port_name'"
labels=""
for kv in "$@"; do
  [[ "$kv" == *=* && "${kv%%=*}" != "" ]] || die "labels are LABEL=VALUE, got '$kv'"
  # JSON strings: YAML flow mappings accept them and they need no further quoting rules.
  labels+="$(printf '    %s: %s' "$(jq -Rn --arg s "${kv%%=*}" '$s')" "$(jq -Rn --arg s "${kv#*=}" '$s')")"$'\n'
done

if ! "${kubectl[@]}" get namespace "$ns" >/dev/null 2>&1; then
  "${kubectl[@]}" create namespace "$ns" >/dev/null
fi
# A Service someone else made (the operator's for an Exporter) is left as it is: only the
# EndpointSlice is added, standing in for the pod the Service would select.
existing="$("${kubectl[@]}" -n "$ns" get service "$service" --ignore-not-found -o name)"
owner="$(service_owner)"
if [[ -z "$existing" || "$owner" == pulse-testenv ]]; then
  "${kubectl[@]}" apply --server-side --field-manager=pulse-testenv -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata:
  name: $service
  namespace: $ns
  labels:
    app.kubernetes.io/managed-by: pulse-testenv
$labels
spec:
  # No selector: the endpointslice controller leaves this Service's slices to us.
  ports:
    - name: $port_name
      port: $port
      targetPort: $port
      protocol: TCP
YAML
elif [[ -n "$labels" ]]; then
  die "Service $ns/$service exists and is not ours (managed-by '$owner'): cannot set labels on it"
fi
uid="$("${kubectl[@]}" -n "$ns" get service "$service" -o jsonpath='{.metadata.uid}')"
# Owned by the Service, as the endpointslice controller's slices are: deleting the Service (or
# the garbage collector deleting it with its Exporter) removes the slice too.
"${kubectl[@]}" apply --server-side --field-manager=pulse-testenv -f - >/dev/null <<YAML
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: $service-local
  namespace: $ns
  labels:
    kubernetes.io/service-name: $service
    endpointslice.kubernetes.io/managed-by: pulse-testenv
  ownerReferences:
    - {apiVersion: v1, kind: Service, name: $service, uid: $uid}
addressType: IPv4
endpoints:
  - addresses: ["$address"]
    conditions: {ready: true}
ports:
  - name: $port_name
    port: $port
    protocol: TCP
YAML
