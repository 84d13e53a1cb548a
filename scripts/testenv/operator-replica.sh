#!/usr/bin/env bash
# Replicas of `pulse-operator run` for the testenv server "pulse" (servers/pulse.sh), each under a
# supervisor that restarts it when it exits, as the kubelet restarts a pod's container: the
# operator exits when it loses its lease (an apiserver restart longer than --renew-deadline),
# and a cluster would start it again.
#
#   operator-replica.sh start PULSE_DIR NAME   (re)start replica NAME: identity NAME-<restarts>, own
#                                              metrics port (kept across restarts); prints
#                                              METRICS_URL=...
#   operator-replica.sh stop PULSE_DIR NAME    SIGTERM (the lease is released), then stop
#
# PULSE_DIR is STATEDIR/pulse. Per replica: supervisor pid in pids/NAME (its process group is
# what testenv.sh stop kills), the operator's own pid in NAME.pid (kill it to simulate a crash;
# it is restarted after 1 s), log NAME.log (the previous one kept as NAME.log.1). The operator's
# arguments are PULSE_DIR/operator.args, one per line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

usage() { sed -n '7,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 3 ]] || usage
cmd="$1" dir="$2" name="$3"
[[ "$name" =~ ^[a-z0-9-]+$ ]] || die "replica name must be [a-z0-9-]+, got '$name'"
[[ -f "$dir/operator.args" ]] || die "no $dir/operator.args: is the pulse server running there?"

case "$cmd" in
  start)
    mkdir -p "$dir/ports"
    [[ -f "$dir/ports/$name" ]] || free_port >"$dir/ports/$name"
    port="$(cat "$dir/ports/$name")"
    stop_pid "$dir" "$name"
    [[ ! -f "$dir/$name.log" ]] || mv "$dir/$name.log" "$dir/$name.log.1"
    spawn "$dir" "$name" bash "${BASH_SOURCE[0]}" supervise "$dir" "$name" "$port"
    wait_for 30 "operator replica $name /healthz" http_ok "http://127.0.0.1:$port/healthz" || exit 1
    echo "METRICS_URL=http://127.0.0.1:$port/metrics"
    ;;
  stop)
    stop_pid "$dir" "$name"
    rm -f "$dir/$name.pid"
    ;;
  supervise) # internal: runs in the replica's own process group (spawn)
    port="$4"
    mapfile -t args <"$dir/operator.args"
    child=""
    # Pass a stop on to the operator and wait for its clean exit (lease released) before going.
    trap '[[ -z "$child" ]] || kill -TERM "$child" 2>/dev/null; [[ -z "$child" ]] || wait "$child"; exit 0' TERM INT
    # A restarted process is a new candidate (as a new container is): NAME-0, NAME-1, ...
    restarts=0
    while :; do
      "${args[@]}" --leader-election-identity "$name-$restarts" --metrics-address "127.0.0.1:$port" &
      child=$!
      echo "$child" >"$dir/$name.pid"
      code=0
      wait "$child" || code=$?
      printf '{"ts":"%s","level":"warn","msg":"supervisor: pulse-operator exited, restarting in 1 s","replica":"%s","exit_code":%d}\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$name" "$code"
      restarts=$((restarts + 1))
      sleep 1
    done
    ;;
  *) usage ;;
esac
