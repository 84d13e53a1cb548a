#!/usr/bin/env bash
# Starts and stops the real servers pulse's tests and demo use, on free loopback ports with
# their data in STATEDIR/<server>/. Each start writes STATEDIR/<server>/env (KEY=VALUE) and
# waits until the server is ready; stop kills exactly the processes it started (by pid group).
#
#   testenv.sh start  SERVER STATEDIR   start (a previous instance in STATEDIR is stopped first)
#   testenv.sh stop   SERVER STATEDIR   stop and remove its data
#   testenv.sh status SERVER STATEDIR   exit 0 when running
#   testenv.sh env    SERVER STATEDIR   print its env file
#   testenv.sh restart-apiserver STATEDIR   (kube only) restart kube-apiserver, same etcd
#
# SERVER: kube prometheus alertmanager rabbitmq postgres redis s3 pulse. See README.md beside this.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 2 ]] || usage
cmd="$1"
if [[ "$cmd" == restart-apiserver ]]; then
  server=kube; statedir="$2"
else
  [[ $# -eq 3 ]] || usage
  server="$2"; statedir="$3"
fi
[[ -f "$here/servers/$server.sh" ]] || die "unknown server '$server' (have: $(ls "$here/servers" | sed 's/\.sh$//' | tr '\n' ' '))"
mkdir -p "$statedir"
statedir="$(cd "$statedir" && pwd)"
dir="$statedir/$server"
source "$here/servers/$server.sh"

case "$cmd" in
  start)
    stop_all "$dir"
    rm -rf "$dir"; mkdir -p "$dir"
    started=$SECONDS
    if ! server_start "$dir"; then
      echo "--- last lines of logs in $dir:" >&2
      tail -n 30 "$dir"/*.log >&2 2>/dev/null || true
      stop_all "$dir"
      die "$server failed to start"
    fi
    log "$server ready in $((SECONDS - started)) s ($dir/env)"
    ;;
  stop)
    if declare -F server_stop >/dev/null; then server_stop "$dir" || true; fi
    stop_all "$dir"
    rm -rf "$dir"
    log "$server stopped"
    ;;
  status) running "$dir" ;;
  env) cat "$dir/env" ;;
  restart-apiserver) kube_restart_apiserver "$dir" ;;
  *) usage ;;
esac
