# RabbitMQ (Debian) with the management and prometheus plugins, guest/guest on loopback.
# env: HOST AMQP_PORT MGMT_URL PROM_URL USER PASSWORD NODENAME CTL
server_start() {
  local dir="$1" amqp mgmt prom dist
  command -v rabbitmq-server >/dev/null || die "rabbitmq-server not installed (run scripts/setup.sh)"
  amqp="$(free_port)"; mgmt="$(free_port)"; prom="$(free_port)"; dist="$(free_port)"
  # A private epmd (Erlang port mapper) so stopping this node leaves no daemon behind.
  local epmd; epmd="$(free_port)"
  local node="pulse-$amqp@localhost"
  mkdir -p "$dir/mnesia" "$dir/log" "$dir/home"
  cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $prom
loopback_users.guest = true
log.console = true
log.file = false
CONF
  echo '[rabbitmq_management,rabbitmq_prometheus].' >"$dir/enabled_plugins"
  if [[ $(id -u) -eq 0 ]]; then chown -R rabbitmq:rabbitmq "$dir"; chmod 755 "$dir"; fi
  local envs=(HOME="$dir/home" RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log"
    RABBITMQ_FEATURE_FLAGS_FILE="$dir/feature_flags" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_NODENAME="$node" RABBITMQ_NODE_PORT="$amqp"
    RABBITMQ_DIST_PORT="$dist" RABBITMQ_PID_FILE="$dir/rabbitmq.pid" ERL_EPMD_PORT="$epmd")
  printf '%s\n' "${envs[@]}" >"$dir/rabbitmq-env"
  spawn "$dir" rabbitmq env "${envs[@]}" rabbitmq-server
  wait_for 90 "rabbitmq management on $mgmt" http_ok -u guest:guest "http://127.0.0.1:$mgmt/api/overview"
  # The CTL line runs rabbitmqctl against this node with the same cookie (HOME).
  write_env "$dir" HOST=127.0.0.1 AMQP_PORT="$amqp" MGMT_URL="http://127.0.0.1:$mgmt" \
    PROM_URL="http://127.0.0.1:$prom" USER=guest PASSWORD=guest NODENAME="$node" EPMD_PORT="$epmd" \
    "CTL=env HOME=$dir/home ERL_EPMD_PORT=$epmd rabbitmqctl -n $node"
}
server_stop() {
  local dir="$1" node
  [[ -f "$dir/env" ]] || return 0
  local epmd
  node="$(sed -n 's/^NODENAME=//p' "$dir/env")"
  epmd="$(sed -n 's/^EPMD_PORT=//p' "$dir/env")"
  timeout 30 env HOME="$dir/home" ERL_EPMD_PORT="$epmd" rabbitmqctl -n "$node" stop >/dev/null 2>&1 || true
  stop_pid "$dir" rabbitmq
  # epmd daemonizes itself outside our process group; stop ours by its port.
  ERL_EPMD_PORT="$epmd" epmd -kill >/dev/null 2>&1 || true
}
