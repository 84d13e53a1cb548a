# Alertmanager (Debian prometheus-alertmanager), no clustering. env: URL PORT CONFIG
server_start() {
  local dir="$1" port; port="$(free_port)"
  command -v prometheus-alertmanager >/dev/null || die "prometheus-alertmanager not installed (run scripts/setup.sh)"
  cat >"$dir/alertmanager.yml" <<YAML
route:
  receiver: default
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: default
YAML
  # Debian's build has no web UI; scripts/build-tools.sh puts upstream's for it beside the tools.
  local ui=(); [[ -f "$(tools_bin)/../alertmanager-ui/index.html" ]] && ui=(--web.ui-path="$(tools_bin)/../alertmanager-ui/")
  spawn "$dir" alertmanager prometheus-alertmanager --config.file="$dir/alertmanager.yml" \
    --storage.path="$dir/data" --web.listen-address="127.0.0.1:$port" --cluster.listen-address= "${ui[@]}"
  wait_for 60 "alertmanager on $port" http_ok "http://127.0.0.1:$port/-/ready"
  write_env "$dir" URL="http://127.0.0.1:$port" PORT="$port" CONFIG="$dir/alertmanager.yml"
}
