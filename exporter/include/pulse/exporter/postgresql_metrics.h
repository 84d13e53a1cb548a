// Pure PostgreSQL logic: the figures a refresh read, and the samples they become. No libpq here.
// Free functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pulse/exporter/metric_set.h"

namespace pulse::exporter::postgresql {

struct ConnectionCount {
  std::string database;
  std::string state;  // pg_stat_activity.state; "unknown" when NULL
  double count = 0;
};

struct Observation {
  std::vector<std::string> databases;  // databases to report connections for (zero-filled)
  std::vector<ConnectionCount> connections;
  double max_connections = 0;
  double shared_buffers_bytes = 0;
  bool buffercache_available = false;
  double shared_buffers_used_bytes = 0;           // meaningful when buffercache_available
  std::map<std::string, double> database_sizes;   // last measurement (own interval)
  std::optional<double> sizes_timestamp_seconds;  // when the sizes were measured
};

// The states pg_stat_activity reports for client backends; each is exported (0 when none).
const std::vector<std::string>& ConnectionStates();

MetricSet BuildMetrics(const Observation& observation);

}  // namespace pulse::exporter::postgresql
