# PostgreSQL 15 (Debian), trust auth on loopback, pg_buffercache available.
# env: HOST PORT USER DSN BIN_DIR SOCKET_DIR
server_start() {
  local dir="$1" port bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [[ -x "$bin/postgres" ]] || die "PostgreSQL server not installed (run scripts/setup.sh)"
  port="$(free_port)"
  mkdir -p "$dir/data" "$dir/sock"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres:postgres "$dir"; chmod 755 "$dir"
    runuser -u postgres -- test -x "$dir" ||
      die "user postgres cannot reach $dir: make every parent directory of STATEDIR world-searchable (chmod o+x)"
  fi
  as_user postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  if [[ $(id -u) -eq 0 ]]; then
    spawn "$dir" postgres runuser -u postgres -- "$bin/postgres" -D "$dir/data" -p "$port" \
      -c listen_addresses=127.0.0.1 -c unix_socket_directories="$dir/sock" -c fsync=off \
      -c max_connections=200 -c shared_buffers=32MB
  else
    spawn "$dir" postgres "$bin/postgres" -D "$dir/data" -p "$port" \
      -c listen_addresses=127.0.0.1 -c unix_socket_directories="$dir/sock" -c fsync=off \
      -c max_connections=200 -c shared_buffers=32MB
  fi
  wait_for 60 "postgres on $port" "$bin/pg_isready" -h 127.0.0.1 -p "$port" -U postgres
  write_env "$dir" HOST=127.0.0.1 PORT="$port" USER=postgres BIN_DIR="$bin" SOCKET_DIR="$dir/sock" \
    "DSN=host=127.0.0.1 port=$port user=postgres dbname=postgres"
}
