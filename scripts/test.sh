#!/usr/bin/env bash
# Runs every pulse test from a fresh machine: set-up (Debian packages, Go-module tools, cached),
# then two builds and their CTest runs:
#   build/        gcc, RelWithDebInfo: unit, integration, smoke, benchmark (quick), e2e
#   build-asan/   clang, AddressSanitizer + UndefinedBehaviorSanitizer, plus libFuzzer targets
# Every server a test needs is started by CTest fixtures and stopped at the end.
#   scripts/test.sh [--no-setup] [--no-asan] [-- extra ctest args]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
setup=1 asan=1 ctest_args=()
while (($#)); do
  case "$1" in
    --no-setup) setup=0 ;;
    --no-asan) asan=0 ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
source "$here/scripts/testenv/lib.sh"  # owned_pids, leftover_pids (its log() is replaced below)
log() { printf '[test %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
started=$SECONDS

((setup)) && "$here/scripts/setup.sh"

# ccache keyed on paths relative to the checkout, so a fresh clone elsewhere reuses the cache.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=true CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/pulse-ccache}"
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
jobs="$(nproc)"

leftovers() { # processes the launchers started for this checkout's build dirs, still alive
  local p
  for p in $(for d in "$here"/build*/testenv; do [[ -d "$d" ]] && leftover_pids "$d"; done | sort -u); do echo "$p $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | cut -c1-160)"; done
}

# build DIR: ninja with its output in DIR/ninja.log; on failure, print what failed and stop.
build() {
  if ! ninja -C "$1" -j "$jobs" >"$1/ninja.log" 2>&1; then
    grep -A 30 '^FAILED' "$1/ninja.log" | head -n 120 || tail -n 60 "$1/ninja.log"
    log "error: build of $1 failed (full log: $1/ninja.log)"
    exit 1
  fi
  log "$1 built ($(grep -c '^\[' "$1/ninja.log") steps)"
}

status=0
if ((asan)); then
  log "configuring build-asan (clang, ASan+UBSan, libFuzzer)"
  CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPULSE_SANITIZE=ON \
    -DPULSE_FUZZ=ON "${launcher[@]}" >/dev/null
  log "building build-asan"
  build build-asan
  log "testing build-asan (sanitizers; benchmarks and e2e excluded)"
  (cd build-asan && ctest --output-on-failure -j "$jobs" -LE 'benchmark|e2e' "${ctest_args[@]}") || status=1
fi

log "configuring build (gcc, RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPULSE_WERROR=ON "${launcher[@]}" >/dev/null
log "building build"
build build
left="$(leftovers)"
[[ -z "$left" ]] || { log "error: test servers left running:"; echo "$left"; status=1; }
log "testing build (all labels) — $(( (SECONDS - started) / 60 )) min so far"
(cd build && ctest --output-on-failure -j "$jobs" "${ctest_args[@]}") || status=1
left="$(leftovers)"
if [[ -n "$left" ]]; then echo "error: test servers left running after ctest:"; echo "$left"; status=1; fi
exit "$status"
