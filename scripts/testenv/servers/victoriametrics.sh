# Single-node VictoriaMetrics (built from its Go module by scripts/build-tools.sh): a real
# remote-write receiver with a Prometheus-compatible query API, behind HTTP basic auth whose
# password VictoriaMetrics reads from a file (-httpAuth.password=file://...), as a store in front
# of which Prometheus authenticates with basic_auth.password_file.
# Queries see samples at once: -search.latencyOffset=0s (default 30 s hides the newest ones) and
# no rollup result cache, so a test can compare values with Prometheus right after the write.
# env: URL PORT WRITE_URL USERNAME PASSWORD_FILE BINARY
server_start() {
  local dir="$1" port bin; port="$(free_port)"
  bin="$(tools_bin)/victoria-metrics"
  [[ -x "$bin" ]] || die "victoria-metrics not built (run scripts/build-tools.sh)"
  local user=pulse-remote-write
  # A fresh random password per start; only the file carries it.
  (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/password")
  spawn "$dir" victoriametrics "$bin" -storageDataPath="$dir/data" \
    -httpListenAddr="127.0.0.1:$port" -retentionPeriod=1d \
    -httpAuth.username="$user" -httpAuth.password="file://$dir/password" \
    -search.latencyOffset=0s -search.disableCache -loggerLevel=WARN
  wait_for 60 "victoriametrics on $port" \
    http_ok -u "$user:$(cat "$dir/password")" "http://127.0.0.1:$port/health"
  write_env "$dir" URL="http://127.0.0.1:$port" PORT="$port" \
    WRITE_URL="http://127.0.0.1:$port/api/v1/write" USERNAME="$user" \
    PASSWORD_FILE="$dir/password" BINARY="$bin"
}
