#!/usr/bin/env bash
# Regenerates deploy/generated/ from deploy/crs/ with `pulse-operator render`: the Prometheus
# config (scrape jobs with static targets, the rule files, Alertmanager at alertmanager:9093),
# the rule files, the Grafana dashboards and one pulse-exporter config per Exporter, exactly as
# deploy/docker-compose.yml mounts them. Deterministic: a second run changes nothing (the
# deploy_render_drift test renders into a temp dir and compares).
#
# Usage: deploy/render.sh [OUTDIR]    (default: deploy/generated)
# Environment: PULSE_OPERATOR  the pulse-operator binary (default: the one in PULSE_BUILD_DIR,
#              itself default build/, i.e. build/operator/cmd/pulse-operator)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="${1:-$here/generated}"
bdir="${PULSE_BUILD_DIR:-build}"
[[ "$bdir" == /* ]] || bdir="$root/$bdir"
operator="${PULSE_OPERATOR:-$bdir/operator/cmd/pulse-operator}"
if [[ ! -x "$operator" ]]; then
  echo "render.sh: $operator is not an executable pulse-operator (build it, or set PULSE_OPERATOR)" >&2
  exit 2
fi
# --exporter-static-targets: no Kubernetes Service to discover; each exporter runs as the
# compose service pulse-exporter-<name>. --require-secrets: every credential reference must
# resolve to deploy/crs/secrets.yaml, the values the compose file gives the servers.
exec "$operator" render -f "$here/crs" -o "$out" --require-secrets --exporter-static-targets \
  --alertmanager alertmanager:9093
