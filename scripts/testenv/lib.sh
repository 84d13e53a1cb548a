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
  # PULSE_TESTENV_OWNER marks every process of ours, so a leftover can be found after the run.
  PULSE_TESTENV_OWNER="$dir" setsid "$@" >"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/pids/$name"
  # Kept after stop (the server dir is removed): lets a run check nothing it started survives.
  echo $! >>"$(dirname "$dir")/.spawned-groups"
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

# leftover_pids STATEDIR: live processes in any process group ever spawned under STATEDIR,
# plus marked daemons that left their group (epmd). Redis and postgres rewrite their
# environment for their process titles, hence the groups.
leftover_pids() {
  local g
  if [[ -f "$1/.spawned-groups" ]]; then
    for g in $(sort -u "$1/.spawned-groups"); do pgrep -g "$g" 2>/dev/null || true; done
  fi
  owned_pids "$1/"
}

# owned_pids PREFIX: pids of live processes whose PULSE_TESTENV_OWNER starts with PREFIX —
# including daemons that left our process group (epmd does).
owned_pids() {
  local f p
  for f in $(grep -lsz "^PULSE_TESTENV_OWNER=$1" /proc/[0-9]*/environ 2>/dev/null); do
    p="${f#/proc/}"; p="${p%/environ}"
    [[ "$p" == "$$" || "$p" == "$BASHPID" ]] || echo "$p"
  done
}

# stop_all DIR: stops every process recorded under DIR/pids (newest first), then anything
# else still marked as started for DIR.
stop_all() {
  local dir="$1" name p
  if [[ -d "$dir/pids" ]]; then
    for name in $(ls -t "$dir/pids"); do stop_pid "$dir" "$name"; done
  fi
  for p in $(owned_pids "$dir\$"); do kill -KILL "$p" 2>/dev/null || true; done
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
