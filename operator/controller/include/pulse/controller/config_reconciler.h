// Reconciles the shared output (one fixed key, kConfigKey): renders prometheus.yml, the rule
// files and the dashboards from every *accepted* object (a rejected object is simply absent, so
// the others' config stays in force), builds the Secrets/ConfigMaps with delivery.h (plus the
// scrape credentials Secret when accepted objects reference Secret keys; the render options'
// credentials_dir must then be set so the config names those files), and
// writes an object only when its content-hash annotation differs from the live one. Objects
// with the delivery labels that are no longer produced (a rule bucket, a dashboard, a config
// part) are deleted. Order: rule and dashboard ConfigMaps, then config parts, head Secret last,
// so a reader of the head finds everything it references.
//
// Memory: only the content hash of each live object is kept between reconciles (seeded by one
// LIST of the labelled objects at the first reconcile and after any failed write), never the
// rendered bytes.
//
// Coalescing: every per-object change enqueues the same key, which the WorkQueue de-duplicates,
// so a burst of changes renders once. Until `ready_to_render` says so (the informers synced and
// the per-object controllers drained their initial backlog), the reconcile only requeues: the
// first delivery must not be a config with half the objects. The per-object reconciles judge in
// memory and leave their status writes to a StatusQueue opened by `delivered` (status_queue.h),
// so that backlog is no longer one rate-limited PATCH per object (`rendered`).
//
// Remote write (render options' remote_write, with credentials_dir set): the Secret keys it
// references are read by name at every render and copied into the credentials Secret
// (remote_write_credentials.h); pulse_operator_remote_write_credentials_missing counts those
// that do not exist.
//
// Metrics: pulse_operator_config_bytes (uncompressed prometheus.yml),
// pulse_operator_config_hash_info{hash} (one series: the last delivered hash),
// pulse_operator_config_renders_total, pulse_operator_config_writes_total{kind}
// (Secret|ConfigMap; deletions included).
//
// Thread-safety: thread-safe; the Controller calls it for one key, so never concurrently.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "pulse/controller/accepted_objects.h"
#include "pulse/controller/delivery.h"
#include "pulse/controller/object_writer.h"
#include "pulse/controller/reconciler.h"
#include "pulse/controller/rule_layout.h"
#include "pulse/render/render_inputs.h"

namespace prometheus {
class Registry;
class Gauge;
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace pulse::controller {

inline constexpr const char* kConfigKey = "config";

struct ConfigReconcilerOptions {
  DeliveryOptions delivery;
  render::RenderOptions render;
  // Delay before retrying while not ready_to_render.
  std::chrono::milliseconds not_ready_recheck{
      200};  // Told the rule ConfigMap count after each delivery (rule_layout.h); the objects it
             // names
  // go to `requeue`. Both may be null/empty.
  RuleLayout* rule_layout = nullptr;
  std::function<void(const ObjectRef&)> requeue = {};
  // Called after every render that got past `ready_to_render` and was delivered, or refused for
  // good (a rule file too large for any ConfigMap): typically StatusQueue::Open, so that the
  // statuses go out after the first delivery, and still go out when none can be made. May be
  // empty.
  std::function<void()> rendered = {};
  // Sharded Prometheus (docs/sharding.md): when not empty, one config Secret set per shard,
  // shard i's config (render/scrape_sharding.h) under shard_config_secrets[i], instead of the
  // one under delivery.config_secret. The rule and dashboard ConfigMaps stay shared.
  std::vector<std::string> shard_config_secrets = {};
};

class ConfigReconciler final : public Reconciler {
 public:
  // `accepted`, `writer` and `registry` (may be null) must outlive the reconciler.
  ConfigReconciler(ConfigReconcilerOptions options, AcceptedObjects& accepted, ObjectWriter& writer,
                   prometheus::Registry* registry, std::function<bool()> ready_to_render = {});
  Result Reconcile(const std::string& key) override;

  // The hash of the last delivered prometheus.yml ("" before the first delivery).
  std::string LastConfigHash() const;

 private:
  void Seed();
  void Write(const DeliveredObject& object);

  const ConfigReconcilerOptions options_;
  AcceptedObjects& accepted_;
  ObjectWriter& writer_;
  std::function<bool()> ready_to_render_;
  mutable std::mutex mu_;
  bool seeded_ = false;
  std::map<std::pair<std::string, std::string>, std::string> live_;  // (kind, name) -> hash
  std::string last_hash_;
  std::vector<std::string> last_missing_;  // remote-write credentials missing at the last render
  prometheus::Gauge* bytes_ = nullptr;
  prometheus::Family<prometheus::Gauge>* hash_info_ = nullptr;
  prometheus::Gauge* hash_series_ = nullptr;
  prometheus::Counter* renders_ = nullptr;
  prometheus::Counter* writes_secret_ = nullptr;
  prometheus::Counter* writes_configmap_ = nullptr;
  prometheus::Gauge* remote_write_missing_ = nullptr;
};

}  // namespace pulse::controller
