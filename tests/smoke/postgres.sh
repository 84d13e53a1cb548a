#!/usr/bin/env bash
# PostgreSQL creates a database and the pg_buffercache extension, which then reports buffers.
source "$(dirname "$0")/lib.sh"
bin="$(envof postgres BIN_DIR)"; host="$(envof postgres HOST)"; port="$(envof postgres PORT)"
psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U postgres -At)
db="smoke_$$"
"${psql[@]}" -d postgres -c "CREATE DATABASE $db"
expect_eq "database exists" 1 "$("${psql[@]}" -d postgres -c "SELECT count(*) FROM pg_database WHERE datname='$db'")"
"${psql[@]}" -d "$db" -c "CREATE EXTENSION pg_buffercache"
buffers="$("${psql[@]}" -d "$db" -c "SELECT count(*) FROM pg_buffercache")"
setting="$("${psql[@]}" -d "$db" -c "SELECT setting FROM pg_settings WHERE name='shared_buffers'")"
expect_eq "pg_buffercache rows = shared_buffers pages" "$setting" "$buffers"
"${psql[@]}" -d postgres -c "DROP DATABASE $db"
