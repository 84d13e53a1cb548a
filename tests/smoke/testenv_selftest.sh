#!/usr/bin/env bash
# The launchers themselves: start Redis in a private state dir, see the smoke test pass, stop
# it, and see (1) nothing of it is left running and (2) the same smoke test now FAILS — a smoke
# test that cannot fail would prove nothing.
source "$(dirname "$0")/lib.sh"
testenv="$PULSE_SOURCE_DIR/scripts/testenv/testenv.sh"
state="$(mktemp -d)"
trap '"$testenv" stop redis "$state" >/dev/null 2>&1 || true; rm -rf "$state"' EXIT
"$testenv" start redis "$state"
pid="$(cat "$state/redis/pids/redis")"; port="$(sed -n 's/^PORT=//p' "$state/redis/env")"
PULSE_TESTENV_DIR="$state" "$(dirname "$0")/redis.sh" >/dev/null || fail "smoke test fails against a running redis"
pass "smoke test passes while redis runs"
"$testenv" stop redis "$state"
kill -0 "$pid" 2>/dev/null && fail "redis pid $pid still running after stop"
pass "redis process $pid is gone"
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && fail "port $port still accepts connections"
pass "port $port is closed"
mkdir -p "$state/redis"; printf 'HOST=127.0.0.1\nPORT=%s\n' "$port" >"$state/redis/env"
if PULSE_TESTENV_DIR="$state" "$(dirname "$0")/redis.sh" >/dev/null 2>&1; then
  fail "smoke test passed with redis stopped"
fi
pass "smoke test fails once redis is stopped"
