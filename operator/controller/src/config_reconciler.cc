#include "pulse/controller/config_reconciler.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <set>

#include "pulse/base/heap.h"
#include "pulse/base/log.h"
#include "pulse/controller/remote_write_credentials.h"
#include "pulse/http/sigv4.h"
#include "pulse/kube/api_error.h"
#include "pulse/render/dashboard_renderer.h"
#include "pulse/render/rules_renderer.h"
#include "pulse/render/scrape_config_renderer.h"
#include "pulse/render/scrape_sharding.h"

namespace pulse::controller {

namespace {
// Selects exactly what delivery.h builds (exporter workloads carry managed-by too, with
// component "exporter", and must never be swept as stale).
std::string DeliveredSelector() {
  return std::string(kManagedByLabel) + "=" + kManagedByValue + "," + kComponentLabel +
         " in (prometheus-config,rules,dashboard," + kCredentialsComponent + ")";
}

kube::Resource ResourceOf(const std::string& kind) {
  return kind == "Secret" ? kube::Secrets() : kube::ConfigMaps();
}
}  // namespace

ConfigReconciler::ConfigReconciler(ConfigReconcilerOptions options, AcceptedObjects& accepted,
                                   ObjectWriter& writer, prometheus::Registry* registry,
                                   std::function<bool()> ready_to_render)
    : options_(std::move(options)),
      accepted_(accepted),
      writer_(writer),
      ready_to_render_(std::move(ready_to_render)) {
  if (registry == nullptr) return;
  bytes_ = &prometheus::BuildGauge()
                .Name("pulse_operator_config_bytes")
                .Help("Size of the last delivered prometheus.yml (uncompressed).")
                .Register(*registry)
                .Add({});
  hash_info_ = &prometheus::BuildGauge()
                    .Name("pulse_operator_config_hash_info")
                    .Help("1 for the SHA-256 of the last delivered prometheus.yml (one series).")
                    .Register(*registry);
  hash_series_ = &hash_info_->Add({{"hash", ""}});
  hash_series_->Set(1);
  renders_ = &prometheus::BuildCounter()
                  .Name("pulse_operator_config_renders_total")
                  .Help("Renders of the shared config from the accepted objects.")
                  .Register(*registry)
                  .Add({});
  auto& writes = prometheus::BuildCounter()
                     .Name("pulse_operator_config_writes_total")
                     .Help("Delivered objects applied or deleted because their content changed.")
                     .Register(*registry);
  writes_secret_ = &writes.Add({{"kind", "Secret"}});
  if (options_.render.remote_write && !options_.render.credentials_dir.empty()) {
    remote_write_missing_ =
        &prometheus::BuildGauge()
             .Name("pulse_operator_remote_write_credentials_missing")
             .Help(
                 "Secret keys the remote write references that do not exist (its requests "
                 "fail until they do).")
             .Register(*registry)
             .Add({});
  }
  writes_configmap_ = &writes.Add({{"kind", "ConfigMap"}});
}

std::string ConfigReconciler::LastConfigHash() const {
  std::lock_guard lock(mu_);
  return last_hash_;
}

void ConfigReconciler::Seed() {
  live_.clear();
  const std::string& ns = options_.delivery.namespace_;
  for (const char* kind : {"Secret", "ConfigMap"}) {
    for (const Json& item : writer_.ListMetadata(ResourceOf(kind), ns, DeliveredSelector())) {
      const Json& meta = item["metadata"];
      std::string hash;
      if (meta.contains("annotations") && meta["annotations"].contains(kContentHashAnnotation)) {
        hash = meta["annotations"][kContentHashAnnotation].get<std::string>();
      }
      live_[{kind, meta.value("name", "")}] = hash;
    }
  }
  seeded_ = true;
}

void ConfigReconciler::Write(const DeliveredObject& object) {
  auto& hash = live_[{object.kind, object.name}];
  if (hash == object.content_hash) return;
  writer_.Apply(ResourceOf(object.kind), options_.delivery.namespace_, object.name, object.object);
  hash = object.content_hash;
  if (auto* c = object.kind == "Secret" ? writes_secret_ : writes_configmap_) c->Increment();
}

Result ConfigReconciler::Reconcile(const std::string& key) {
  if (key != kConfigKey) return Result::Terminal("unexpected key " + key);
  if (ready_to_render_ && !ready_to_render_()) {
    return Result::RequeueAfter(options_.not_ready_recheck);
  }
  // Destroyed last, after every piece of this render: gives its free pages back (heap.h).
  struct ReleaseOnExit {
    ~ReleaseOnExit() { base::ReleaseFreeHeap(); }
  } release_on_exit;
  const AcceptedObjects::Snapshot snapshot = accepted_.Take();
  std::vector<const model::ApiMonitor*> monitors;
  std::vector<const model::Exporter*> exporters;
  monitors.reserve(snapshot.api_monitors.size());
  for (const auto& m : snapshot.api_monitors) monitors.push_back(m.get());
  for (const auto& e : snapshot.exporters) exporters.push_back(e.get());
  render::RenderInputs inputs;
  inputs.api_monitor_refs = monitors;
  inputs.exporter_refs = exporters;
  inputs.options = options_.render;
  // One stage at a time, each rendered text dropped once its objects are built, the config
  // first and streamed: at 10,000 monitors the config alone is 13 MB (and growing its buffer
  // held 8 + 16 MB at once) and the rule files 7 MB; holding every stage at once set the
  // operator's peak memory. The write order is still rules, dashboards, credentials, config
  // parts, head last.
  std::string config_hash;
  std::size_t config_bytes = 0;
  // Each set in order, head last; one set, or one per shard.
  std::vector<std::vector<DeliveredObject>> config_sets;
  if (options_.shard_config_secrets.empty()) {
    // Hashed and compressed as it is rendered: the text is never held whole.
    ConfigSecretsBuilder config;
    render::RenderPrometheusConfig(inputs,
                                   [&config](std::string_view piece) { config.Append(piece); });
    config_sets.push_back(config.Finish(options_.delivery));
    config_hash = config.config_hash();
    config_bytes = config.bytes();
  } else {
    // The metrics describe the whole (unsharded) config: only its hash and size are needed.
    http::sigv4::Sha256Stream sha;
    render::RenderPrometheusConfig(inputs, [&](std::string_view piece) {
      sha.Update(piece);
      config_bytes += piece.size();
    });
    config_hash = sha.HexDigest();
    // One set per shard; the whole config changes exactly when some shard's does.
    const auto count = static_cast<std::uint32_t>(options_.shard_config_secrets.size());
    const auto shards = render::RenderShardedPrometheusConfigs(inputs, count);
    for (std::uint32_t i = 0; i < count; ++i) {
      DeliveryOptions shard_delivery = options_.delivery;
      shard_delivery.config_secret = options_.shard_config_secrets[i];
      config_sets.push_back(BuildConfigSecrets(shards[i].content, shard_delivery));
    }
  }
  std::vector<DeliveredObject> objects;
  {
    auto rule_maps = BuildRuleConfigMaps(render::RenderRuleFiles(inputs), options_.delivery);
    if (!rule_maps.ok()) {
      // One rule file above the ConfigMap limit: no retry helps until the objects change.
      if (renders_) renders_->Increment();
      if (options_.rendered) options_.rendered();
      return Result::Terminal("rules: " + rule_maps.status().ToString());
    }
    objects = std::move(rule_maps).value();
  }
  const std::size_t rule_buckets = objects.size();
  std::map<std::string, std::string> rule_hashes;
  for (const DeliveredObject& o : objects) rule_hashes[o.name] = o.content_hash;
  // Every head names the rule ConfigMaps it goes with (delivery.h kRulesHashAnnotation).
  const std::string rules_digest = RulesDigest(rule_hashes);
  for (auto& set : config_sets) DeclareRules(set.back(), rules_digest);
  for (auto& d : BuildDashboardConfigMaps(render::RenderDashboards(inputs), options_.delivery)) {
    objects.push_back(std::move(d));
  }
  if (renders_) renders_->Increment();

  // The copied scrape (and remote-write) credentials before the config that names their files;
  // none, none.
  std::map<std::string, std::string> credentials = snapshot.credentials;
  if (options_.render.remote_write && !options_.render.credentials_dir.empty()) {
    RemoteWriteCredentialFiles rw;
    try {
      rw = ReadRemoteWriteCredentials(*options_.render.remote_write, writer_);
    } catch (const kube::ApiError& e) {
      return Result::Retriable(std::string("remote write credentials: ") + e.what());
    }
    credentials.insert(rw.files.begin(), rw.files.end());
    if (remote_write_missing_) remote_write_missing_->Set(static_cast<double>(rw.missing.size()));
    if (!rw.missing.empty() && rw.missing != last_missing_) {
      std::string list;
      for (const auto& m : rw.missing) list += (list.empty() ? "" : ", ") + m;
      base::LogWarn(
          "remote write credentials missing: the config names their files, remote "
          "write fails until they exist",
          {{"missing", list}});
    }
    last_missing_ = rw.missing;
  }
  if (!options_.delivery.credentials_secret.empty() && !credentials.empty()) {
    objects.push_back(BuildCredentialsSecret(credentials, options_.delivery));
  }
  // Parts in order, head last (delivery.h): a reader of the head sees a complete set.
  for (auto& set : config_sets) {
    for (auto& s : set) objects.push_back(std::move(s));
  }
  config_sets.clear();

  std::lock_guard lock(mu_);
  try {
    if (!seeded_) Seed();
    std::set<std::pair<std::string, std::string>> produced;
    for (const DeliveredObject& o : objects) {
      Write(o);
      produced.insert({o.kind, o.name});
    }
    for (auto it = live_.begin(); it != live_.end();) {
      if (produced.count(it->first) != 0) {
        ++it;
        continue;
      }
      writer_.Delete(ResourceOf(it->first.first), options_.delivery.namespace_, it->first.second);
      if (auto* c = it->first.first == "Secret" ? writes_secret_ : writes_configmap_) {
        c->Increment();
      }
      it = live_.erase(it);
    }
  } catch (const kube::ApiError& e) {
    seeded_ = false;  // what is live is uncertain now: re-read it on the retry
    return Result::Retriable(e.what());
  }
  const std::string& hash = config_hash;
  if (hash != last_hash_) {
    base::LogInfo("config delivered", {{"hash", hash},
                                       {"bytes", config_bytes},
                                       {"api_monitors", snapshot.api_monitors.size()},
                                       {"exporters", snapshot.exporters.size()}});
    last_hash_ = hash;
    if (hash_info_) {
      hash_info_->Remove(hash_series_);
      hash_series_ = &hash_info_->Add({{"hash", hash}});
      hash_series_->Set(1);
    }
  }
  if (bytes_) bytes_->Set(static_cast<double>(config_bytes));
  if (options_.rule_layout != nullptr) {
    for (const ObjectRef& ref :
         options_.rule_layout->Delivered(rule_buckets, [this] { return accepted_.Known(); })) {
      if (options_.requeue) options_.requeue(ref);
    }
  }
  if (options_.rendered) options_.rendered();
  return Result::Done();
}

}  // namespace pulse::controller
