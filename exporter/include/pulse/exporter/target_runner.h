// Refreshes one Target on its own thread every interval and keeps the last good samples, already
// rendered to exposition text, plus the bookkeeping behind the self metrics.
// Thread-safe: Snapshot() may be called from any thread (scrapes) while the refresh thread runs;
// a refresh never holds the lock while talking to the target.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pulse/exporter/config.h"
#include "pulse/exporter/exposition.h"
#include "pulse/exporter/target.h"

namespace pulse::exporter {

struct TargetStatus {
  std::string name;
  std::string type;
  bool up = false;
  std::optional<std::chrono::system_clock::time_point> last_success;
  double last_duration_seconds = 0;
  std::uint64_t refreshes = 0;
  std::map<std::string, std::uint64_t> errors;       // reason -> count (every known reason present)
  std::string last_error;                            // message of the last failure ("" when up)
  std::shared_ptr<const RenderedFamilies> rendered;  // last good samples (never null)
};

class TargetRunner {
 public:
  TargetRunner(std::string name, TargetType type, Duration interval,
               std::unique_ptr<Target> target);
  ~TargetRunner();  // stops the thread
  TargetRunner(const TargetRunner&) = delete;
  TargetRunner& operator=(const TargetRunner&) = delete;

  // Starts the background thread: refresh now, then every interval.
  void Start();
  // Asks the thread to stop and joins it (waits for an in-flight request to time out).
  void Stop();
  // One synchronous refresh on the caller's thread (tests; must not race with Start()).
  void RefreshNow();

  TargetStatus Snapshot() const;
  const std::string& name() const { return name_; }

 private:
  void Loop(const std::stop_token& stop);
  void RefreshOnce(const std::stop_token& stop);

  const std::string name_;
  const std::string type_;
  const Duration interval_;
  std::unique_ptr<Target> target_;

  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  TargetStatus status_;  // guarded by mutex_
  std::jthread thread_;
};

}  // namespace pulse::exporter
