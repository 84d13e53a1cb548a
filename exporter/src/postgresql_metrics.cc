#include "pulse/exporter/postgresql_metrics.h"

#include <set>

namespace pulse::exporter::postgresql {

const std::vector<std::string>& ConnectionStates() {
  static const std::vector<std::string> kStates = {"active",
                                                   "idle",
                                                   "idle in transaction",
                                                   "idle in transaction (aborted)",
                                                   "fastpath function call",
                                                   "disabled"};
  return kStates;
}

MetricSet BuildMetrics(const Observation& o) {
  MetricSet m;
  auto& sizes = m.Family("pulse_postgresql_database_size_bytes",
                         "Size of the database (pg_database_size), refreshed on its own interval.");
  for (const auto& [db, bytes] : o.database_sizes) {
    sizes.samples.push_back({{{"database", db}}, bytes});
  }
  if (o.sizes_timestamp_seconds) {
    m.Add("pulse_postgresql_database_size_timestamp_seconds",
          "Unix time the database sizes were measured.", {}, *o.sizes_timestamp_seconds);
  }
  // Zero-fill every (database, state) so alerts and dashboards see 0, not absence.
  std::map<std::pair<std::string, std::string>, double> counts;
  for (const auto& db : o.databases) {
    for (const auto& state : ConnectionStates()) counts[{db, state}] = 0;
  }
  for (const auto& c : o.connections) counts[{c.database, c.state}] += c.count;
  auto& conns = m.Family("pulse_postgresql_connections",
                         "Client connections by database and state (pg_stat_activity).");
  for (const auto& [key, n] : counts) {
    conns.samples.push_back({{{"database", key.first}, {"state", key.second}}, n});
  }
  m.Add("pulse_postgresql_max_connections", "The max_connections setting.", {}, o.max_connections);
  m.Add("pulse_postgresql_shared_buffers_bytes", "The shared_buffers setting in bytes.", {},
        o.shared_buffers_bytes);
  m.Add("pulse_postgresql_buffercache_available",
        "1 if pg_buffercache is installed in the connected database, else 0.", {},
        o.buffercache_available ? 1 : 0);
  if (o.buffercache_available) {
    m.Add("pulse_postgresql_shared_buffers_used_bytes",
          "Shared buffers in use (pg_buffercache) in bytes.", {}, o.shared_buffers_used_bytes);
  }
  return m;
}

}  // namespace pulse::exporter::postgresql
