#!/usr/bin/env bash
# The pulse demo on one machine, no containers: set up, build, start a real Kubernetes control
# plane, Prometheus, Alertmanager and S3 on loopback; start the demo shop/CRM/MES services
# (instrumented with pulse-red) with their Redis, PostgreSQL and RabbitMQ and the load
# generator (examples/run-demo.sh); install pulse's CRDs and the example resources for the
# whole seed system; render Prometheus config, rules and dashboards from them with
# `pulse-operator render` and load them into the running Prometheus.
# Still to come (later issues): the in-cluster operator loop, the exporter deployments and
# Services/EndpointSlices that make the rendered Kubernetes-discovery jobs find the local APIs.
#   scripts/demo.sh [--no-setup] [--keep]    --keep: leave everything running until Ctrl-C
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
setup=1 keep=0
for a in "$@"; do
  case "$a" in
    --no-setup) setup=0 ;; --keep) keep=1 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
log() { printf '\n[demo %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
((setup)) && scripts/setup.sh

log "building pulse"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build | tail -n 1

state="$(mktemp -d /tmp/pulse-demo.XXXXXX)"
chmod 755 "$state"  # PostgreSQL and RabbitMQ run as their own users and must reach their dirs
servers=(kube prometheus alertmanager s3)
cleanup() {
  log "stopping the demo"
  examples/run-demo.sh stop "$state" >/dev/null 2>&1 || true
  for s in "${servers[@]}"; do scripts/testenv/testenv.sh stop "$s" "$state" >/dev/null 2>&1 || true; done
  rm -rf "$state"
}
trap cleanup EXIT
for s in "${servers[@]}"; do scripts/testenv/testenv.sh start "$s" "$state"; done
log "starting the demo APIs, their Redis/PostgreSQL/RabbitMQ and the load generator"
LOAD_DURATION_S="${LOAD_DURATION_S:-120}" examples/run-demo.sh start "$state" build
cat "$state/demo.env"
envof() { sed -n "s/^$2=//p" "$state/$1/env"; }
export KUBECONFIG="$(envof kube KUBECONFIG)"

log "Kubernetes $(kubectl version -o json 2>/dev/null | jq -r .serverVersion.gitVersion) at $(envof kube SERVER)"
if compgen -G "crds/*.yaml" >/dev/null; then
  kubectl apply -f crds/
  kubectl wait --for=condition=Established --timeout=60s -f crds/
  if [[ -d examples/crs ]]; then kubectl apply -R -f examples/crs/; kubectl get pulse -A 2>/dev/null || true; fi
fi

if [[ -x build/operator/cmd/pulse-operator ]]; then
  out="$state/rendered"
  log "rendering the example resources with pulse-operator render"
  c="$(envof kube CERT_DIR)"
  build/operator/cmd/pulse-operator render -f examples/crs -o "$out" \
    --alertmanager "127.0.0.1:$(envof alertmanager PORT)" \
    --prometheus-external-api-server "$(envof kube SERVER)" \
    --ca-file "$c/ca.crt" --cert-file "$c/admin.crt" --key-file "$c/admin.key"
  find "$out" -type f | sort
  cp "$out/prometheus.yml" "$(envof prometheus CONFIG)"
  [[ -d "$out/rules" ]] && cp -r "$out/rules" "$(dirname "$(envof prometheus CONFIG)")/"
  curl -fsS -X POST "$(envof prometheus URL)/-/reload" && log "Prometheus reloaded with the generated config"
fi

log "running: Prometheus $(envof prometheus URL)  Alertmanager $(envof alertmanager URL)  RabbitMQ $(envof rabbitmq MGMT_URL)  S3 $(envof s3 ENDPOINT)"
sleep 5
curl -fsS "$(envof prometheus URL)/api/v1/targets" | jq -r '.data.activeTargets[] | "  target \(.labels.job) \(.scrapeUrl) \(.health)"'
for svc in SHOP CRM MES; do
  url="$(sed -n "s/^${svc}_URL=//p" "$state/demo.env")"
  log "$svc at $url — RED series it exports now:"
  curl -fsS "$url/metrics" | grep -E '^http_request_duration_seconds_count' | head -n 5 || true
done
if ((keep)); then log "all running; Ctrl-C stops everything"; while sleep 3600; do :; done; fi
