# Prometheus (Debian) with --web.enable-lifecycle, scraping itself. env: URL PORT CONFIG PROMTOOL DATA
server_start() {
  local dir="$1" port; port="$(free_port)"
  command -v prometheus >/dev/null || die "prometheus not installed (run scripts/setup.sh)"
  cat >"$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$port']
YAML
  spawn "$dir" prometheus prometheus --config.file="$dir/prometheus.yml" \
    --storage.tsdb.path="$dir/data" --web.listen-address="127.0.0.1:$port" --web.enable-lifecycle
  wait_for 60 "prometheus on $port" http_ok "http://127.0.0.1:$port/-/ready"
  write_env "$dir" URL="http://127.0.0.1:$port" PORT="$port" CONFIG="$dir/prometheus.yml" \
    PROMTOOL="$(command -v promtool)" DATA="$dir/data"
}
