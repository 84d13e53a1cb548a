# Prometheus with --web.enable-lifecycle, scraping itself. Prefers the Prometheus 3 built from
# Go modules by scripts/build-tools.sh: Debian's 2.42 is built without Kubernetes service
# discovery, which pulse's generated config uses. PULSE_PROMETHEUS=debian forces Debian's.
# env: URL PORT CONFIG PROMTOOL DATA BINARY
server_start() {
  local dir="$1" port bin promtool; port="$(free_port)"
  bin="$(tools_bin)/prometheus"; promtool="$(tools_bin)/promtool"
  if [[ "${PULSE_PROMETHEUS:-}" == debian || ! -x "$bin" || ! -x "$promtool" ]]; then
    bin="$(command -v prometheus)" || die "prometheus not installed (run scripts/setup.sh)"
    promtool="$(command -v promtool)"
  fi
  cat >"$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$port']
YAML
  spawn "$dir" prometheus "$bin" --config.file="$dir/prometheus.yml" \
    --storage.tsdb.path="$dir/data" --web.listen-address="127.0.0.1:$port" --web.enable-lifecycle
  wait_for 60 "prometheus on $port" http_ok "http://127.0.0.1:$port/-/ready"
  write_env "$dir" URL="http://127.0.0.1:$port" PORT="$port" CONFIG="$dir/prometheus.yml" \
    PROMTOOL="$promtool" DATA="$dir/data" BINARY="$bin"
}
