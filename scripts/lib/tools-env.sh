# Versions and cache location of the Go-module test tools; sourced by scripts.
KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
HELM_VERSION="${HELM_VERSION:-v3.21.4}"
VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.7.0}"
# Prometheus' Go module version v0.3XX.Y is Prometheus v3.XX.Y.
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-v0.316.0}"
# pnpm (from the npm registry) builds Prometheus' web UI; its CI takes any pnpm below 13.
PNPM_VERSION="${PNPM_VERSION:-12.23.0}"
PULSE_TOOLS_CACHE="${PULSE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulse-tools}"
PULSE_TOOLS_BIN="$PULSE_TOOLS_CACHE/bin"
export KUBE_VERSION HELM_VERSION VERSITYGW_VERSION PROMETHEUS_MODULE_VERSION PNPM_VERSION PULSE_TOOLS_CACHE PULSE_TOOLS_BIN
