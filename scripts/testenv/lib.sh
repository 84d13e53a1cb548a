# Shared helpers for the test-environment launchers (sourced by testenv.sh).
log() { printf '[testenv %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# A free TCP port on 127.0.0.1 (the kernel picks it; the tiny race is acceptable for tests).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# spawn DIR NAME CMD...: runs CMD in its own session (so its whole process group can be
# stopped), logs to DIR/NAME.log, records the pid in DIR/pids/NAME.
spawn() {
  local dir="$1" name="$2"; shift 2
  mkdir -p "$dir/pids"
  setsid "$@" >"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/pids/$name"
}

# wait_for SECONDS DESCRIPTION CMD...: polls CMD every 0.2 s until it succeeds.
wait_for() {
  local timeout="$1" what="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= deadline )); then log "timed out after ${timeout}s waiting for $what"; return 1; fi
    sleep 0.2
  done
}

http_ok() { curl -fsS --max-time 2 "$@" -o /dev/null; }

# stop_pid DIR NAME: TERM the process group recorded for NAME, then KILL after 15 s.
stop_pid() {
  local f="$1/pids/$2" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# stop_all DIR: stops every process recorded under DIR/pids, newest first.
stop_all() {
  local dir="$1"
  [[ -d "$dir/pids" ]] || return 0
  local name
  for name in $(ls -t "$dir/pids"); do stop_pid "$dir" "$name"; done
}

running() {
  local dir="$1" f
  [[ -d "$dir/pids" ]] || return 1
  for f in "$dir"/pids/*; do kill -0 "$(cat "$f")" 2>/dev/null || return 1; done
}

# write_env DIR KEY=VALUE...: the contract tests read (pulse::testenv::Get).
write_env() {
  local dir="$1"; shift
  printf '%s\n' "$@" >"$dir/env"
}

# as_user USER CMD...: run as USER when root (postgres refuses root), else as ourselves.
as_user() {
  local user="$1"; shift
  if [[ $(id -u) -eq 0 ]]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

tools_bin() {
  source "$(dirname "${BASH_SOURCE[0]}")/../lib/tools-env.sh"
  echo "$PULSE_TOOLS_BIN"
}
