# A second Prometheus, the same as `prometheus`, for the pulse stack (servers/pulse.sh with
# PULSE_PROMETHEUS_SERVER=prometheus-e2e): the config sync replaces its whole config with the
# operator's, so it must not be the Prometheus that other tests expect to scrape itself.
# env: as servers/prometheus.sh
# shellcheck source=scripts/testenv/servers/prometheus.sh
source "$(dirname "${BASH_SOURCE[0]}")/prometheus.sh"
