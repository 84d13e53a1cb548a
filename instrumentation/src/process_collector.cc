#include "pulse/red/process_collector.h"

#include <dirent.h>
#include <prometheus/metric_family.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <sstream>

#include "family_builder.h"
#include "pulse/red/process_stats.h"

namespace pulse::red {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Entries of a /proc/<pid>/fd directory. When it is our own, the descriptor opendir uses is
// listed too; it is gone once we return, so it is not counted.
std::optional<std::uint64_t> CountFds(const std::string& path, bool own_process) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return std::nullopt;
  const std::string own_fd = std::to_string(dirfd(dir));
  std::uint64_t n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    if (own_process && own_fd == e->d_name) continue;
    ++n;
  }
  closedir(dir);
  return n;
}

void AddGauge(std::vector<prometheus::MetricFamily>& out, const char* name, const char* help,
              double value, prometheus::MetricType type = prometheus::MetricType::Gauge) {
  out.push_back(internal::Family(name, help, type));
  if (type == prometheus::MetricType::Counter) {
    out.back().metric.push_back(internal::CounterMetric(value, {}));
  } else {
    out.back().metric.push_back(internal::GaugeMetric(value, {}));
  }
}

}  // namespace

ProcessCollector::ProcessCollector(std::string proc_root, std::string proc_stat_path)
    : root_(std::move(proc_root)),
      proc_stat_path_(std::move(proc_stat_path)),
      ticks_per_second_(sysconf(_SC_CLK_TCK)),
      page_size_(sysconf(_SC_PAGESIZE)) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  const auto stat_text = ReadFile(root_ + "/stat");
  const auto stat = stat_text ? ParseProcStat(*stat_text) : std::nullopt;
  const double tps = ticks_per_second_ > 0 ? static_cast<double>(ticks_per_second_) : 100.0;
  if (stat) {
    AddGauge(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
             static_cast<double>(stat->utime_ticks + stat->stime_ticks) / tps,
             prometheus::MetricType::Counter);
    AddGauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
             static_cast<double>(stat->rss_pages) * static_cast<double>(page_size_));
    AddGauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
             static_cast<double>(stat->vsize_bytes));
    const auto proc_stat = ReadFile(proc_stat_path_);
    const auto btime = proc_stat ? ParseBootTime(*proc_stat) : std::nullopt;
    if (btime) {
      AddGauge(out, "process_start_time_seconds",
               "Start time of the process since unix epoch in seconds.",
               static_cast<double>(*btime) + static_cast<double>(stat->starttime_ticks) / tps);
    }
  }
  if (const auto fds = CountFds(
          root_ + "/fd", root_ == "/proc/self" || root_ == "/proc/" + std::to_string(getpid()))) {
    AddGauge(out, "process_open_fds", "Number of open file descriptors.",
             static_cast<double>(*fds));
  }
  const auto limits = ReadFile(root_ + "/limits");
  if (const auto max = limits ? ParseMaxOpenFiles(*limits) : std::nullopt) {
    AddGauge(out, "process_max_fds", "Maximum number of open file descriptors.",
             *max == std::numeric_limits<std::uint64_t>::max() ? 1.8446744073709552e19
                                                               : static_cast<double>(*max));
  }
  return out;
}

}  // namespace pulse::red
