// What the two per-object reconcilers (ApiMonitor, Exporter) share: where they read the
// desired object (an informer's store, through a lister), where they write (ObjectWriter),
// where they record the verdict (AcceptedObjects) and whom they tell that the shared config
// must be rendered again.
//
// Thread-safety: plain aggregate of references to thread-safe parts.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "pulse/base/clock.h"
#include "pulse/controller/accepted_objects.h"
#include "pulse/controller/object_writer.h"
#include "pulse/controller/rule_layout.h"
#include "pulse/controller/secret_watches.h"
#include "pulse/controller/status_queue.h"
#include "pulse/kube/store.h"

namespace pulse::controller {

// The latest object for a key, nullptr when it does not exist (deleted).
using ObjectLister = std::function<kube::ObjectPtr(const std::string& key)>;

struct ObjectReconcilerDeps {
  ObjectLister lister;
  ObjectWriter& writer;
  AcceptedObjects& accepted;
  // Called when the accepted set changed (typically: enqueue the "config" key).
  std::function<void()> config_changed;
  base::Clock& clock;
  // An object rejected because a referenced Secret is missing is looked at again after this
  // (a safety net: with secret_watches, the Secret's creation is an event of its own).
  std::chrono::milliseconds missing_secret_recheck{std::chrono::seconds(30)};
  // Told which Secrets each object references, so a change to one re-enqueues exactly its
  // referencing objects (secret_watches.h). May be null (no Secret watches).
  SecretWatches* secret_watches = nullptr;
  // Reconciles another object again (its duplicate verdict flipped because of this one).
  std::function<void(const ObjectRef&)> requeue = {};
  // Names the rule ConfigMaps in each object's status. May be null (not in the status).
  RuleLayout* rule_layout = nullptr;
  // Takes the status writes out of the reconcile (status_queue.h). May be null: the reconcile
  // then PATCHes the status itself.
  StatusQueue* statuses = nullptr;
  // --dashboard-prefix: names the dashboard ConfigMap an object claims (delivery.h).
  std::string dashboard_prefix = "pulse-dashboard";
};

}  // namespace pulse::controller
