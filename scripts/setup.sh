#!/usr/bin/env bash
# Everything a fresh Debian 12 machine needs for pulse, and nothing else. Idempotent.
#   1. Debian packages (compilers, C++ libraries, the real servers tests talk to);
#   2. Go-module tools (kube-apiserver, etcd, kube-controller-manager, helm, versitygw),
#      cached by version under ~/.cache/pulse-tools (scripts/build-tools.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev golang-go
  # C++ libraries (the user's choice plus what the exporter/instrumentation need)
  libcpprest-dev prometheus-cpp-dev libyaml-cpp-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev libssl-dev libpq-dev libhiredis-dev
  zlib1g-dev libre2-dev librabbitmq-dev clang-tidy
  # real servers and clients used by tests and the demo
  prometheus prometheus-alertmanager rabbitmq-server postgresql postgresql-contrib redis-server
  prometheus-postgres-exporter wrk curl jq python3 python3-yaml openssl ccache chromium
  # validates deploy/docker-compose.yml against the Compose schema (no engine: no recommends)
  docker-compose
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Go already present (e.g. a newer toolchain in PATH) is fine: do not install Debian's over it.
if command -v go >/dev/null; then
  missing=("${missing[@]/golang-go/}")
fi
missing=($(printf '%s\n' "${missing[@]}" | sed '/^$/d'))
if ((${#missing[@]})); then
  log "installing ${#missing[@]} Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # policy-rc.d keeps Debian from starting the servers as system services: tests start their own.
  $SUDO env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "Debian packages: all present"
fi
# Debian starts these as services on install where it can; tests run their own instances.
for svc in rabbitmq-server redis-server postgresql prometheus prometheus-alertmanager prometheus-postgres-exporter; do
  if command -v service >/dev/null && service "$svc" status >/dev/null 2>&1; then
    service "$svc" stop >/dev/null 2>&1 || true
  fi
done

"$here/scripts/build-tools.sh"
log "setup complete"
