#!/usr/bin/env bash
# Redis answers PING and keeps a value.
source "$(dirname "$0")/lib.sh"
host="$(envof redis HOST)"; port="$(envof redis PORT)"
expect_eq "PING" PONG "$(redis-cli -h "$host" -p "$port" PING)"
redis-cli -h "$host" -p "$port" SET pulse:smoke "value-$$" >/dev/null
expect_eq "GET after SET" "value-$$" "$(redis-cli -h "$host" -p "$port" GET pulse:smoke)"
