# Redis (Debian redis-server). env: HOST PORT
server_start() {
  local dir="$1" port; port="$(free_port)"
  command -v redis-server >/dev/null || die "redis-server not installed (run scripts/setup.sh)"
  spawn "$dir" redis redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --dir "$dir" --daemonize no --protected-mode yes
  wait_for 30 "redis on $port" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'PING\r\n' >&3 && head -c5 <&3 | grep -q PONG"
  write_env "$dir" HOST=127.0.0.1 PORT="$port"
}
