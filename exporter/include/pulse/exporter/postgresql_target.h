// PostgreSQL target over libpq: connections by state, max_connections, shared buffers (and their
// use through pg_buffercache when installed), database sizes on their own slower interval.
// Every query runs with a server-side statement_timeout and a client-side deadline (a cancel
// and reconnect when it passes), so a stalled server cannot hang the refresh thread.
// Not thread-safe; driven by one TargetRunner.
#pragma once

#include <memory>

#include "pulse/exporter/config.h"
#include "pulse/exporter/target.h"

namespace pulse::exporter {

std::unique_ptr<Target> MakePostgresTarget(PostgresSpec spec, Duration timeout);

}  // namespace pulse::exporter
