// The config sync beside Prometheus (`pulse-operator config-sync`, docs/config-delivery.md):
// turns what the operator delivered into the API (the config Secret parts, the rule ConfigMaps)
// into files Prometheus reads, and makes Prometheus load them.
//
//   Notify() (an informer saw a change) ─► one loop thread:
//     Snapshot from the informers' stores ─► AssembleConfig (kFailedPrecondition: the writer is
//     mid-update, wait for the next change) ─► rule files, then prometheus.yml, each written
//     atomically and only when its bytes differ; stale rule files removed ─► Reloader (POST
//     /-/reload + confirm) when the written content is not what Prometheus already loaded.
//
// - Never two reloads in flight: one thread does all of it. Changes that arrive during a sync
//   set a flag, so a burst costs exactly one more sync, and reloads are at least
//   `min_reload_interval` apart (a burst of applies within that window is one reload).
// - A config Prometheus rejects (Reloader says kFailedPrecondition) is counted, logged and not
//   retried: Prometheus keeps the previous config, and the sync waits for content that differs.
// - Other failures (Prometheus down, disk full) are retried with exponential backoff on the
//   Clock, so tests drive them with a FakeClock.
//
// Thread-safety: Notify, Stop and the accessors may be called from any thread; Run from one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pulse/base/clock.h"
#include "pulse/base/status.h"
#include "pulse/controller/delivery.h"
#include "pulse/controller/prometheus_reloader.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace pulse::controller {

// What the API holds right now (the informers' view).
struct ConfigSyncSnapshot {
  std::vector<nlohmann::json> config_secrets;     // the head Secret and its parts
  std::map<std::string, std::string> rule_files;  // file name -> content (all rule ConfigMaps)
};

struct ConfigSyncOptions {
  std::string config_dir;  // prometheus.yml goes here
  std::string rules_dir;   // rule files go here; others there are removed
  std::string config_file_name = "prometheus.yml";
  DeliveryOptions delivery;                               // config Secret name
  std::size_t max_config_bytes = std::size_t{256} << 20;  // bounds the gunzip
  std::chrono::milliseconds min_reload_interval{1000};
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
};

struct ConfigSyncStats {
  long long syncs = 0;  // snapshots looked at
  long long reloads_success = 0;
  long long reloads_failure = 0;  // rejected or failed attempts
  long long rejected = 0;         // of which Prometheus rejected the config
  long long files_written = 0;
  long long files_removed = 0;
};

class ConfigSync {
 public:
  // `source` is called on the loop thread and must be thread-safe with respect to the
  // informers. `reloader`, `clock` and `registry` (may be null) must outlive the sync.
  ConfigSync(ConfigSyncOptions options, std::function<ConfigSyncSnapshot()> source,
             Reloader& reloader, base::Clock& clock, prometheus::Registry* registry);
  ~ConfigSync();
  ConfigSync(const ConfigSync&) = delete;
  ConfigSync& operator=(const ConfigSync&) = delete;

  // Something changed in the API: sync soon. Quick; callable from informer handlers.
  void Notify();
  // The loop; returns after Stop(). Syncs once at start (Prometheus may not have loaded what is
  // on disk, e.g. after a crash between write and reload).
  void Run();
  void Stop();

  // SHA-256 of the prometheus.yml Prometheus last confirmed loading ("" before the first).
  std::string LoadedHash() const;
  ConfigSyncStats stats() const;

 private:
  struct Metrics;
  // One pass; returns when to try again without a change (nullopt: only on the next change).
  std::optional<std::chrono::steady_clock::time_point> SyncOnce();
  base::Status WriteFiles(const std::string& config, const ConfigSyncSnapshot& snap,
                          std::string* fingerprint);
  void CountError(const std::string& stage);
  std::chrono::steady_clock::time_point ScheduleRetry();

  const ConfigSyncOptions options_;
  const std::function<ConfigSyncSnapshot()> source_;
  Reloader& reloader_;
  base::Clock& clock_;
  std::unique_ptr<Metrics> metrics_;
  base::Stopper stopper_;  // interrupts a reloader's confirm wait

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = true;  // sync once at start
  bool stopped_ = false;
  ConfigSyncStats stats_;
  std::string loaded_hash_;

  // Loop-thread state.
  std::string loaded_fingerprint_;    // config + rules Prometheus confirmed loading
  std::string rejected_fingerprint_;  // config + rules Prometheus rejected
  std::chrono::milliseconds backoff_{0};
  // No reload starts before this: min_reload_interval after the last one, or the retry backoff.
  std::chrono::steady_clock::time_point not_before_{};
};

}  // namespace pulse::controller
