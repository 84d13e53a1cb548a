#!/bin/sh
# Run once by the postgres image on a fresh data directory (/docker-entrypoint-initdb.d/):
# the read-only "pulse" role pulse-exporter logs in as (pg_monitor: sizes, connections of every
# database) and pg_buffercache for the shared-buffer metrics, as examples/run-demo.sh prepares
# its local servers. PULSE_MONITORING_PASSWORD comes from deploy/docker-compose.yml.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$PULSE_MONITORING_PASSWORD" <<'SQL'
CREATE ROLE pulse LOGIN PASSWORD :'password' IN ROLE pg_monitor;
CREATE EXTENSION IF NOT EXISTS pg_buffercache;
SQL
