#!/usr/bin/env bash
# End to end, an Exporter (issue 10): a PostgreSQL Exporter with its credentials in a Secret.
# The operator creates the exporter's ConfigMap, Deployment and Service (owned by the CR). Pods
# cannot run here, so the test runs what the Deployment would: pulse-exporter with the config
# the operator wrote in the ConfigMap and the environment the Deployment takes from the Secret
# (only the listen address is local), makes it the Service's endpoint (register-target.sh), and
# checks that Prometheus scrapes the real database size — equal to pg_database_size(). Deleting
# the CR lets the garbage collector remove the three objects and the target goes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ns=pulse-e2e-exporter
work="$STATEDIR/e2e-exporter"
rm -rf "$work"; mkdir -p "$work"
pg_port="$(envof postgres PORT)"
psql=("$(envof postgres BIN_DIR)/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -X -q -t -A)

step "a database with some data"
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS e2e_shop" -c "CREATE DATABASE e2e_shop" >/dev/null ||
  fail "cannot create database e2e_shop"
"${psql[@]}" -d e2e_shop -c "CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 20000) g" \
  >/dev/null || fail "cannot fill e2e_shop"

step "3. apply the Exporter and its Secret"
kc get namespace "$ns" >/dev/null 2>&1 || kc create namespace "$ns" >/dev/null
kc apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Secret
metadata: {name: pg-monitoring, namespace: $ns}
stringData: {username: postgres, password: trust-auth-ignores-it}
---
apiVersion: monitoring.pulse.dev/v1alpha1
kind: Exporter
metadata: {name: pg, namespace: $ns}
spec:
  type: postgresql
  postgresql:
    host: 127.0.0.1
    port: $pg_port
    databases: [e2e_shop]
    sslMode: disable
    credentials:
      username: {name: pg-monitoring, key: username}
      password: {name: pg-monitoring, key: password}
    refreshInterval: 1s
    sizeRefreshInterval: 1s
  interval: 2s
YAML
wait_until 60 "Exporter pg Ready=True" condition_is exporter "$ns" pg Ready True
cr="$(kc -n "$ns" get exporter pg -o json)"
uid="$(jq -r .metadata.uid <<<"$cr")"
cm="$(jq -r .status.generated.configMap <<<"$cr")"
deploy="$(jq -r .status.generated.deployment <<<"$cr")"
svc="$(jq -r .status.generated.service <<<"$cr")"
for obj in "configmap/$cm" "deployment/$deploy" "service/$svc"; do
  owner="$(kc -n "$ns" get "$obj" -o json | jq -c '[.metadata.ownerReferences[]? | {uid, controller}]')"
  expect_eq "$obj ownerReferences" "[{\"uid\":\"$uid\",\"controller\":true}]" "$owner"
done

step "3. run pulse-exporter as the Deployment would, with the operator's config"
kc -n "$ns" get configmap "$cm" -o json | jq -r '.data["config.yaml"]' >"$work/config.yaml"
[[ -s "$work/config.yaml" ]] || fail "ConfigMap $cm has no config.yaml"
container="$(kc -n "$ns" get deployment "$deploy" -o json | jq -c '.spec.template.spec.containers[0]')"
# The Deployment's environment, each secretKeyRef read from its Secret as the kubelet would.
env_args=()
while IFS=$'\t' read -r name secret key; do
  value="$(kc -n "$ns" get secret "$secret" -o json | jq -r --arg k "$key" '.data[$k] | @base64d')"
  env_args+=("$name=$value")
done < <(jq -r '.env[]? | [.name, .valueFrom.secretKeyRef.name, .valueFrom.secretKeyRef.key] | @tsv' <<<"$container")
((${#env_args[@]} >= 2)) || fail "the Deployment passes no credentials: $(jq -c .env <<<"$container")"
# Its arguments, with the ConfigMap's mount path replaced by the local copy.
mapfile -t args < <(jq -r '.args[]' <<<"$container")
for i in "${!args[@]}"; do [[ "${args[$i]}" != */config.yaml ]] || args[$i]="$work/config.yaml"; done
exporter_port="$(free_port)"
address="$(envof pulse TARGET_ADDRESS)"  # the apiserver refuses loopback endpoints
start_bg "$work/exporter.log" env "${env_args[@]}" "$PULSE_BINARY_DIR/exporter/pulse-exporter" \
  "${args[@]}" --listen "$address:$exporter_port"
wait_until 30 "pulse-exporter /readyz" curl -fsS --max-time 2 "http://$address:$exporter_port/readyz"
service_port_name="$(kc -n "$ns" get service "$svc" -o jsonpath='{.spec.ports[0].name}')"
"$PULSE_SOURCE_DIR/scripts/testenv/register-target.sh" "$STATEDIR" "$ns" "$svc" "$exporter_port" \
  "$service_port_name" || fail "register-target.sh failed"

step "3. Prometheus scrapes the real database size"
wait_until 90 "Prometheus scrapes the exporter: up{pulse_exporter=\"$ns/pg\"} == 1" up_is "pulse_exporter=\"$ns/pg\"" 1
size_matches() {
  local scraped truth
  scraped="$(promql_value "pulse_postgresql_database_size_bytes{pulse_exporter=\"$ns/pg\",database=\"e2e_shop\"}")" || return 1
  truth="$("${psql[@]}" -d postgres -c "SELECT pg_database_size('e2e_shop')")"
  # Within 2 %: autovacuum and the stats collector may touch a few pages between the two reads.
  python3 -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if b > 0 and abs(a-b) <= 0.02*b else 1)' \
    "$scraped" "$truth" || { echo "scraped $scraped, pg_database_size $truth"; return 1; }
  echo "scraped $scraped, pg_database_size $truth"
}
wait_until 30 "scraped e2e_shop size equals pg_database_size() within 2%" size_matches
pass "$(size_matches)"

step "3. delete the Exporter → the garbage collector removes its objects"
kc -n "$ns" delete exporter pg >/dev/null
gone() { ! kc -n "$ns" get "$1" -o name >/dev/null 2>&1 || { echo "$1 still exists"; return 1; }; }
# A fresh kube-controller-manager discovers a new CRD's resource on a 30 s resync, so the first
# collection may wait for it.
for obj in "configmap/$cm" "deployment/$deploy" "service/$svc" "endpointslice/$svc-local"; do
  wait_until 120 "$obj garbage-collected" gone "$obj"
done
no_target() {
  local n; n="$(active_targets ".pulse_exporter == \"$ns/pg\"")"
  [[ "$n" == 0 ]] || { echo "$n active targets"; return 1; }
}
wait_until 60 "the exporter's target is gone from Prometheus" no_target
