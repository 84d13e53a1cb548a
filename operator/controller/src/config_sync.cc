#include "pulse/controller/config_sync.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "pulse/base/log.h"
#include "pulse/controller/atomic_file.h"

namespace pulse::controller {

using base::Status;
using base::StatusCode;

namespace {

constexpr const char* kStages[] = {"assemble", "write", "reload"};

// A rule file name must stay a plain file in rules_dir.
bool SafeFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos && !name.starts_with(kTempFilePrefix);
}

}  // namespace

struct ConfigSync::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : reloads(prometheus::BuildCounter()
                    .Name("pulse_config_sync_reloads_total")
                    .Help("Prometheus reloads by the config sync, by result (failure: Prometheus "
                          "rejected the config or the reload could not be confirmed).")
                    .Register(registry)),
        reload_success(reloads.Add({{"result", "success"}})),
        reload_failure(reloads.Add({{"result", "failure"}})),
        hash(prometheus::BuildGauge()
                 .Name("pulse_config_sync_last_loaded_hash_info")
                 .Help("SHA-256 of the prometheus.yml Prometheus last confirmed loading (one "
                       "series, value 1).")
                 .Register(registry)),
        last_success(prometheus::BuildGauge()
                         .Name("pulse_config_sync_last_reload_success_timestamp_seconds")
                         .Help("Prometheus' own timestamp of the last reload the config sync "
                               "confirmed.")
                         .Register(registry)
                         .Add({})),
        errors(prometheus::BuildCounter()
                   .Name("pulse_config_sync_errors_total")
                   .Help("Config sync errors by stage (assemble: the Secrets do not hold a valid "
                         "config; write: files; reload: Prometheus unreachable or unconfirmed).")
                   .Register(registry)) {
    for (const char* stage : kStages) errors.Add({{"stage", stage}});
  }

  void SetHash(const std::string& value) {
    if (hash_gauge != nullptr) hash.Remove(hash_gauge);
    hash_gauge = &hash.Add({{"hash", value}});
    hash_gauge->Set(1);
  }

  prometheus::Family<prometheus::Counter>& reloads;
  prometheus::Counter& reload_success;
  prometheus::Counter& reload_failure;
  prometheus::Family<prometheus::Gauge>& hash;
  prometheus::Gauge* hash_gauge = nullptr;
  prometheus::Gauge& last_success;
  prometheus::Family<prometheus::Counter>& errors;
};

ConfigSync::ConfigSync(ConfigSyncOptions options, std::function<ConfigSyncSnapshot()> source,
                       Reloader& reloader, base::Clock& clock, prometheus::Registry* registry)
    : options_(std::move(options)),
      source_(std::move(source)),
      reloader_(reloader),
      clock_(clock),
      metrics_(registry != nullptr ? std::make_unique<Metrics>(*registry) : nullptr) {}

ConfigSync::~ConfigSync() = default;

void ConfigSync::Notify() {
  const auto now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  dirty_ = true;
  if (!first_change_) first_change_ = now;
  last_change_ = now;
  cv_.notify_all();
}

void ConfigSync::NotifyDelivered() {
  const auto now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  const bool lone = !last_delivery_ || now - *last_delivery_ >= options_.lone_delivery_quiet;
  last_delivery_ = now;
  dirty_ = true;
  if (!first_change_) first_change_ = now;
  last_change_ = now;
  if (lone) lone_delivery_ = true;
  cv_.notify_all();
}

void ConfigSync::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  stopper_.Stop();
}

std::string ConfigSync::LoadedHash() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loaded_hash_;
}

ConfigSyncStats ConfigSync::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void ConfigSync::CountError(const std::string& stage) {
  if (metrics_) metrics_->errors.Add({{"stage", stage}}).Increment();
}

void ConfigSync::Run() {
  // A FakeClock's jumps must wake the wait below, which is computed from clock_.Now().
  base::ClockSubscription wake_on_advance = clock_.OnAdvance([this] {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  });
  std::optional<std::chrono::steady_clock::time_point> retry_at;
  while (true) {
    bool lone = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (true) {
        if (stopped_) return;
        const auto now = clock_.Now();
        std::optional<std::chrono::steady_clock::time_point> wake = retry_at;
        if (awaiting_rules_until_ && now >= *awaiting_rules_until_) {
          awaiting_rules_until_.reset();
          lone = false;
          dirty_ = true;  // waited long enough: sync what there is
        }
        if (dirty_) {
          // Settled: quiet for `settle`, or `max_settle` after the first unsynced change.
          std::chrono::steady_clock::time_point due = now;
          lone = lone_delivery_ || awaiting_rules_until_.has_value();
          if (options_.settle.count() > 0 && last_change_ && !lone) {
            due = std::min(*last_change_ + options_.settle, *first_change_ + options_.max_settle);
          }
          if (now >= due) break;
          wake = due;  // a due retry waits too: the settled pass does its work
        } else if (retry_at && now >= *retry_at) {
          break;
        }
        if (wake) {
          cv_.wait_for(lock, *wake - now);
        } else {
          cv_.wait(lock);
        }
      }
      dirty_ = false;  // changes from here on cause one more pass
      lone_delivery_ = false;
      first_change_.reset();
      last_change_.reset();
    }
    retry_at = SyncOnce(lone);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.syncs;  // after the pass, so a test waiting for it sees the pass' effects
  }
}

std::chrono::steady_clock::time_point ConfigSync::ScheduleRetry() {
  backoff_ = backoff_.count() == 0 ? options_.initial_backoff
                                   : std::min(backoff_ * 2, options_.max_backoff);
  const auto at = clock_.Now() + backoff_;
  not_before_ = std::max(not_before_, at);
  return not_before_;
}

Status ConfigSync::MirrorDir(const std::string& dir,
                             const std::map<std::string, std::string>& files, unsigned mode,
                             long long* written, long long* removed) {
  std::error_code ec;
  if (files.empty() && !std::filesystem::exists(dir, ec)) return Status::Ok();
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status(StatusCode::kInternal, "create " + dir + ": " + ec.message());
  // Only the owner (Prometheus and this sidecar share a user) may list the credentials.
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  if (ec) return Status(StatusCode::kInternal, "chmod " + dir + ": " + ec.message());
  std::set<std::string> wanted;
  for (const auto& [name, content] : files) {
    if (!SafeFileName(name)) {
      base::LogWarn("skipping a file with an unsafe name", {{"name", name}, {"dir", dir}});
      continue;
    }
    wanted.insert(name);
    auto w = WriteFileIfChanged(dir + "/" + name, content, mode);
    if (!w.ok()) return w.status();
    *written += *w ? 1 : 0;
  }
  auto present = ListRegularFiles(dir);
  if (!present.ok()) return present.status();
  for (const std::string& name : *present) {
    if (wanted.count(name) != 0) continue;
    if (Status s = RemoveFileDurably(dir + "/" + name); !s.ok()) return s;
    ++*removed;
  }
  return Status::Ok();
}

Status ConfigSync::WriteFiles(const std::string& config, const ConfigSyncSnapshot& snap,
                              std::string* fingerprint) {
  std::error_code ec;
  std::filesystem::create_directories(options_.rules_dir, ec);
  if (ec)
    return Status(StatusCode::kInternal, "create " + options_.rules_dir + ": " + ec.message());
  // What Prometheus will load: every byte of the config and of each rule file, with names.
  std::string all = ContentHash(config);
  std::set<std::string> wanted;
  long long written = 0;
  long long removed = 0;
  // Credentials first of all: a new config may name a new credentials file. They are not part
  // of the fingerprint (no reload needed for them, see the header).
  if (!options_.credentials_dir.empty()) {
    if (Status s =
            MirrorDir(options_.credentials_dir, snap.credential_files, 0600, &written, &removed);
        !s.ok()) {
      return s;
    }
  }
  // Rule files first, prometheus.yml last: the config may name a new rule file, which must be
  // there when Prometheus reads the config.
  for (const auto& [name, content] : snap.rule_files) {
    if (!SafeFileName(name)) {
      base::LogWarn("skipping rule file with an unsafe name", {{"name", name}});
      continue;
    }
    wanted.insert(name);
    all += "\n" + name + "\n" + ContentHash(content);
    auto w = WriteFileIfChanged(options_.rules_dir + "/" + name, content);
    if (!w.ok()) return w.status();
    written += *w ? 1 : 0;
  }
  const bool shared_dir =
      std::filesystem::equivalent(options_.rules_dir, options_.config_dir, ec) && !ec;
  auto present = ListRegularFiles(options_.rules_dir);
  if (!present.ok()) return present.status();
  for (const std::string& name : *present) {
    if (wanted.count(name) != 0 || (shared_dir && name == options_.config_file_name)) continue;
    Status s = RemoveFileDurably(options_.rules_dir + "/" + name);
    if (!s.ok()) return s;
    ++removed;
  }
  auto w = WriteFileIfChanged(options_.config_dir + "/" + options_.config_file_name, config);
  if (!w.ok()) return w.status();
  written += *w ? 1 : 0;
  *fingerprint = ContentHash(all);
  if (written + removed > 0) {
    base::LogInfo("files updated", {{"written", written}, {"removed", removed}});
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.files_written += written;
  stats_.files_removed += removed;
  return Status::Ok();
}

std::optional<std::chrono::steady_clock::time_point> ConfigSync::SyncOnce(bool lone) {
  const ConfigSyncSnapshot snap = source_();
  if (snap.config_secrets.empty()) {
    base::LogInfo("no config Secret yet", {{"secret", options_.delivery.config_secret}});
    return std::nullopt;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (lone && snap.rules_behind && options_.settle.count() > 0) {
      // The head came before its rule ConfigMaps: reloading now would load the old rules and
      // then reload again when they come. Their events end the wait; `settle` bounds it.
      if (!awaiting_rules_until_) {
        awaiting_rules_until_ = clock_.Now() + options_.settle;
        base::LogInfo("config Secret seen before its rule ConfigMaps, waiting for them");
      }
      return *awaiting_rules_until_;
    }
    awaiting_rules_until_.reset();
  }
  auto config = AssembleConfig(snap.config_secrets, options_.delivery, options_.max_config_bytes);
  if (!config.ok()) {
    if (config.status().code() == StatusCode::kFailedPrecondition) {
      // The operator is between writing the parts and the head: the next event completes it.
      base::LogInfo("config Secrets mid-update, waiting", {{"reason", config.status().message()}});
    } else {
      // Wrong content will not fix itself; the operator's next write is the next chance.
      CountError("assemble");
      base::LogError("cannot assemble the config", {{"error", config.status().ToString()}});
    }
    return std::nullopt;
  }
  std::string fingerprint;
  if (Status s = WriteFiles(*config, snap, &fingerprint); !s.ok()) {
    CountError("write");
    base::LogError("cannot write the config files", {{"error", s.ToString()}});
    return ScheduleRetry();
  }
  if (fingerprint == loaded_fingerprint_) {
    backoff_ = std::chrono::milliseconds(0);
    return std::nullopt;  // Prometheus already runs exactly these files
  }
  if (fingerprint == rejected_fingerprint_) return std::nullopt;  // reported once already
  const auto start = clock_.Now();
  if (start < not_before_) return not_before_;  // coalesce: the pass at not_before_ reloads

  const std::string hash = ContentHash(*config);
  auto result = reloader_.Reload(stopper_);
  not_before_ = start + options_.min_reload_interval;
  if (result.ok()) {
    backoff_ = std::chrono::milliseconds(0);
    loaded_fingerprint_ = fingerprint;
    rejected_fingerprint_.clear();
    if (metrics_) {
      metrics_->reload_success.Increment();
      metrics_->SetHash(hash);
      metrics_->last_success.Set(result->success_timestamp_seconds);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.reloads_success;
      loaded_hash_ = hash;
    }
    base::LogInfo("Prometheus loaded the config", {{"hash", hash}});
    return std::nullopt;
  }
  const Status& err = result.status();
  if (err.code() == StatusCode::kCancelled) return std::nullopt;
  const bool rejected = err.code() == StatusCode::kFailedPrecondition;
  std::optional<std::chrono::steady_clock::time_point> retry_at;
  if (rejected) {
    // Prometheus keeps its previous config. The same files would be rejected again, so wait
    // for content that differs (the operator fixing its render, or the bad object going).
    rejected_fingerprint_ = fingerprint;
    backoff_ = std::chrono::milliseconds(0);
    base::LogError("Prometheus rejected the config; keeping the previous one loaded",
                   {{"hash", hash}, {"error", err.message()}});
  } else {
    CountError("reload");
    retry_at = ScheduleRetry();
    base::LogWarn("reload failed, will retry", {{"hash", hash}, {"error", err.ToString()}});
  }
  // Counted last, so that whoever waits for the count sees the retry already scheduled.
  if (metrics_) metrics_->reload_failure.Increment();
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.reloads_failure;
  if (rejected) ++stats_.rejected;
  return retry_at;
}

}  // namespace pulse::controller
