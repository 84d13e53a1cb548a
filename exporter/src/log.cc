#include "pulse/exporter/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace pulse::exporter {
namespace {
std::mutex g_mutex;
std::atomic<bool> g_quiet{false};
}  // namespace

void SetLogQuiet(bool quiet) { g_quiet = quiet; }

void Log(LogLevel level, std::string_view message) {
  if (level == LogLevel::kInfo && g_quiet) return;
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  const char* name = level == LogLevel::kInfo   ? "info"
                     : level == LogLevel::kWarn ? "warn"
                                                : "error";
  std::string line = std::string(stamp) + " " + name + " " + std::string(message) + "\n";
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace pulse::exporter
