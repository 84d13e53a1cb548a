// PostgreSQL samples from observed figures (no server).
#include "pulse/exporter/postgresql_metrics.h"

#include <gtest/gtest.h>

namespace pulse::exporter::postgresql {
namespace {

TEST(PostgresMetrics, ZeroFillsStatesAndSums) {
  Observation o;
  o.databases = {"shop", "crm"};
  o.connections = {{"shop", "idle", 3}, {"shop", "active", 1}, {"other", "unknown", 2}};
  o.max_connections = 100;
  o.shared_buffers_bytes = 128 << 20;
  o.database_sizes = {{"shop", 1234}, {"crm", 99}};
  o.sizes_timestamp_seconds = 1000;
  const auto m = BuildMetrics(o);
  EXPECT_EQ(
      m.Find("pulse_postgresql_connections", {{"database", "shop"}, {"state", "idle"}})->value, 3);
  EXPECT_EQ(m.Find("pulse_postgresql_connections", {{"database", "crm"}, {"state", "idle"}})->value,
            0);
  EXPECT_EQ(
      m.Find("pulse_postgresql_connections", {{"database", "other"}, {"state", "unknown"}})->value,
      2);
  int crm_states = 0;
  for (const auto& f : m.families()) {
    if (f.name != "pulse_postgresql_connections") continue;
    for (const auto& s : f.samples) crm_states += s.labels[0].second == "crm";
  }
  EXPECT_EQ(crm_states, static_cast<int>(ConnectionStates().size()));
  EXPECT_EQ(m.Find("pulse_postgresql_database_size_bytes", {{"database", "shop"}})->value, 1234);
  EXPECT_EQ(m.Find("pulse_postgresql_max_connections")->value, 100);
  EXPECT_EQ(m.Find("pulse_postgresql_shared_buffers_bytes")->value, 128 << 20);
  EXPECT_EQ(m.Find("pulse_postgresql_buffercache_available")->value, 0);
  EXPECT_FALSE(m.Find("pulse_postgresql_shared_buffers_used_bytes"));
  o.buffercache_available = true;
  o.shared_buffers_used_bytes = 8192 * 10;
  EXPECT_EQ(BuildMetrics(o).Find("pulse_postgresql_shared_buffers_used_bytes")->value, 81920);
}

}  // namespace
}  // namespace pulse::exporter::postgresql
