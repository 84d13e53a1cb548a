# Helpers for the smoke tests: read a server's env file, assert, fail loudly.
set -euo pipefail
: "${PULSE_TESTENV_DIR:?run through ctest (PULSE_TESTENV_DIR unset)}"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# envof SERVER KEY: a value the launcher wrote; fails the test when the server is not running.
envof() {
  local f="$PULSE_TESTENV_DIR/$1/env" v
  [[ -f "$f" ]] || fail "$1 is not running ($f missing)"
  v="$(sed -n "s/^$2=//p" "$f")"
  [[ -n "$v" ]] || fail "$1 env has no $2"
  printf '%s' "$v"
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() { [[ "$2" == "$3" ]] || fail "$1: expected '$2', got '$3'"; pass "$1 = $3"; }
# expect_match WHAT REGEX ACTUAL
expect_match() { [[ "$3" =~ $2 ]] || fail "$1: '$3' does not match /$2/"; pass "$1 matches /$2/"; }

# retry SECONDS CMD...: until CMD succeeds.
retry() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do (( SECONDS < deadline )) || return 1; sleep 0.5; done
}
