// The config sync beside Prometheus (`pulse-operator config-sync`, docs/config-delivery.md):
// turns what the operator delivered into the API (the config Secret parts, the rule ConfigMaps)
// into files Prometheus reads, and makes Prometheus load them.
//
//   Notify() (an informer saw a change) ─► one loop thread:
//     Snapshot from the informers' stores ─► AssembleConfig (kFailedPrecondition: the writer is
//     mid-update, wait for the next change) ─► credential files, rule files, then
//     prometheus.yml, each written atomically and only when its bytes differ; stale ones
//     removed ─► Reloader (POST /-/reload + confirm) when the config or rules are not what
//     Prometheus already loaded. Credential files alone need no reload: Prometheus reads
//     password_file, credentials_file and its TLS files when it uses them.
//
// - Never two reloads in flight: one thread does all of it. Changes that arrive during a sync
//   set a flag, so a burst costs exactly one more sync, and reloads are at least
//   `min_reload_interval` apart (a burst of applies within that window is one reload).
// - A change is synced only once `settle` has passed without another (capped at `max_settle`),
//   so the many events of one burst become one pass over the final state. The exception is a
//   lone delivery: the operator writes the head config Secret after everything it references
//   (delivery.h), so a head change with no other head change in the `lone_delivery_quiet` before it
//   (NotifyDelivered) completes a delivery and is synced at once. In a burst only its first
//   delivery is; the rest settle as before. Secret and ConfigMap events come through separate
//   watches in no set order, so the head may be seen before its rule ConfigMaps (after a relist,
//   say): the head names their digest (delivery.h kRulesHashAnnotation), and while the
//   snapshot's rules are behind it (ConfigSyncSnapshot::rules_behind) the sync waits up to
//   `settle` for them, passing again on each change, instead of reloading twice.
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
  // The scrape credentials Secret's files (delivery.h CredentialFiles); empty when it is absent.
  std::map<std::string, std::string> credential_files;
  // The head declares rule ConfigMaps (delivery.h DeclaredRulesDigest) that differ from those
  // seen so far: the head's own event arrived first.
  bool rules_behind = false;
};

struct ConfigSyncOptions {
  std::string config_dir;  // prometheus.yml goes here
  std::string rules_dir;   // rule files go here; others there are removed
  std::string config_file_name = "prometheus.yml";
  // Where the scrape credentials go (mode 0600, the directory 0700; files that are no longer in
  // the Secret are removed, so the directory must be the sync's own). "" = not written.
  std::string credentials_dir;
  DeliveryOptions delivery;                               // config Secret name
  std::size_t max_config_bytes = std::size_t{256} << 20;  // bounds the gunzip
  std::chrono::milliseconds min_reload_interval{1000};
  // Settle window: after a change, wait until no further change came for this long (but never
  // longer than max_settle after the first unhandled change) before syncing. An operator
  // apply touches several objects (config parts, rule ConfigMaps) one after the other, and a
  // burst of kubectl applies arrives as a stream of events; syncing on the first one would
  // spend a reload on a state that is stale a few milliseconds later. 0 = sync at once.
  std::chrono::milliseconds settle{0};
  std::chrono::milliseconds max_settle{1000};
  // NotifyDelivered: a head change this long after the previous one is a lone delivery.
  std::chrono::milliseconds lone_delivery_quiet{1000};
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
  // The head config Secret changed: a delivery is complete. Synced at once when it is the first
  // head change for lone_delivery_quiet, else like Notify.
  void NotifyDelivered();
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
  // `lone`: the pass completes a lone delivery, which waits for rules that are behind.
  std::optional<std::chrono::steady_clock::time_point> SyncOnce(bool lone);
  base::Status WriteFiles(const std::string& config, const ConfigSyncSnapshot& snap,
                          std::string* fingerprint);
  // Mirrors `files` into `dir` (only changed bytes written, others removed); counts into *written
  // and *removed.
  base::Status MirrorDir(const std::string& dir, const std::map<std::string, std::string>& files,
                         unsigned mode, long long* written, long long* removed);
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
  // Clock times of the first and the latest change not yet synced (the settle window); unset
  // for the start-up sync, which does not wait.
  std::optional<std::chrono::steady_clock::time_point> first_change_, last_change_;
  // The last head change (NotifyDelivered), and whether the pending changes end in a lone one.
  std::optional<std::chrono::steady_clock::time_point> last_delivery_;
  bool lone_delivery_ = false;
  // A lone delivery whose rule ConfigMaps were behind its head: until this time every change is
  // passed on at once (the awaited rules), after it the pass syncs what there is.
  std::optional<std::chrono::steady_clock::time_point> awaiting_rules_until_;
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
