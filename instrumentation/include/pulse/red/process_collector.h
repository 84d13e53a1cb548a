// Standard Prometheus process metrics (process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds, process_max_fds)
// read from /proc/self at scrape time. prometheus-cpp has no process collector of its own.
//
// Thread-safe: Collect only reads files and keeps no mutable state. A value whose file cannot be
// read or parsed is left out of that scrape rather than reported as 0.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace pulse::red {

class ProcessCollector : public prometheus::Collectable {
 public:
  // proc_root is "/proc/self" in production; tests may point it at another process's directory.
  explicit ProcessCollector(std::string proc_root = "/proc/self",
                            std::string proc_stat_path = "/proc/stat");
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string root_;
  std::string proc_stat_path_;
  long ticks_per_second_;
  long page_size_;
};

}  // namespace pulse::red
