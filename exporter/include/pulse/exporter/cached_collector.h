// The prometheus-cpp Collectable behind /metrics: at scrape time it copies each runner's cached
// samples and adds the self metrics (up, last success, duration, errors, data age). It never
// talks to a target, so a scrape costs the same whether targets are fast, slow or dead.
// Thread-safe: Collect() may run on several civetweb threads at once.
#pragma once

#include <prometheus/collectable.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pulse/exporter/target_runner.h"

namespace pulse::exporter {

class CachedCollector : public prometheus::Collectable {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // `runners` must outlive the collector. `clock` is injectable for tests.
  explicit CachedCollector(
      std::vector<const TargetRunner*> runners, std::string version,
      Clock clock = [] { return std::chrono::system_clock::now(); });

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::vector<const TargetRunner*> runners_;
  std::string version_;
  Clock clock_;
};

// The self-metric families for these statuses at time `now` (pure; unit-tested).
std::vector<prometheus::MetricFamily> SelfMetrics(const std::vector<TargetStatus>& statuses,
                                                  std::chrono::system_clock::time_point now,
                                                  const std::string& version);

// Healthz: a Collectable that always reports pulse_exporter_healthy 1 (served on /healthz).
class HealthCollectable : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace pulse::exporter
