// What GET /metrics returns: the self metrics of every target (up, last success, duration,
// errors, data age), computed at scrape time, followed by each target's cached samples, already
// rendered to text at refresh time. It never talks to a target, so a scrape costs the same
// whether targets are fast, slow or dead. Thread-safe: Render() may run on several HTTP threads.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "pulse/exporter/metric_set.h"
#include "pulse/exporter/target_runner.h"

namespace pulse::exporter {

class MetricsPage {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // `runners` must outlive the page. `clock` is injectable for tests.
  MetricsPage(
      std::vector<const TargetRunner*> runners, std::string version,
      Clock clock = [] { return std::chrono::system_clock::now(); });

  std::string Render() const;

 private:
  std::vector<const TargetRunner*> runners_;
  std::string version_;
  Clock clock_;
};

// The self-metric samples for these statuses at time `now` (pure; unit-tested).
MetricSet SelfMetrics(const std::vector<TargetStatus>& statuses,
                      std::chrono::system_clock::time_point now, const std::string& version);

}  // namespace pulse::exporter
