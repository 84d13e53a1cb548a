// Private: the steps ApiMonitorReconciler and ExporterReconciler share (parse + resolve Secrets
// + validate, then status + Event). Not a public noun; see the reconcilers' headers.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "pulse/base/log.h"
#include "pulse/controller/cr_status.h"
#include "pulse/controller/delivery.h"
#include "pulse/controller/object_reconciler.h"
#include "pulse/controller/reconciler.h"
#include "pulse/kube/api_error.h"
#include "pulse/kube/resource.h"
#include "pulse/model/parse.h"
#include "pulse/render/dashboard_renderer.h"
#include "pulse/render/rules_renderer.h"

namespace pulse::controller::internal {

inline bool IsBeingDeleted(const Json& object) {
  return object.contains("metadata") && object["metadata"].contains("deletionTimestamp") &&
         !object["metadata"]["deletionTimestamp"].is_null();
}

template <typename T>
struct Checked {
  std::optional<T> accepted;
  std::vector<model::Error> errors;             // non-empty when rejected
  std::string fingerprint;                      // identifies what the config renders from
  bool missing_secret = false;                  // rejected (also) because a Secret was not found
  std::vector<std::string> referenced_secrets;  // names, in the object's namespace
  std::vector<model::Secret> secrets;           // the resolved ones (when accepted)
};

inline std::string CreationTimestamp(const Json& object) {
  const Json& meta = object["metadata"];
  return meta.contains("creationTimestamp") && meta["creationTimestamp"].is_string()
             ? meta["creationTimestamp"].get<std::string>()
             : std::string();
}

// The ConfigMap the object's own dashboard is delivered in (delivery.h), from the path the
// dashboard renderer gives it. Only for an object that has a dashboard of its own.
template <typename T>
std::string OwnDashboardConfigMap(const T& object, const ObjectReconcilerDeps& deps) {
  render::RenderInputs inputs;
  if constexpr (std::is_same_v<T, model::ApiMonitor>) {
    inputs.api_monitors = std::span<const model::ApiMonitor>(&object, 1);
  } else {
    inputs.exporters = std::span<const model::Exporter>(&object, 1);
  }
  DeliveryOptions options;
  options.dashboard_prefix = deps.dashboard_prefix;
  for (const render::RenderedFile& f : render::RenderDashboards(inputs)) {
    // The shared dashboards (overview, red) are everyone's; the remaining one is the object's.
    if (f.path == "dashboards/overview.json" || f.path == "dashboards/red.json") continue;
    return DashboardConfigMapName(f.path, options);
  }
  return "";
}

// The rule file keys whose ConfigMaps a status written later names (status_queue.h); nullopt:
// the names are in `generated` already (or there are none to name).
using PendingRuleFiles = std::optional<std::vector<std::string>>;

// generated.ruleConfigMaps: the rule ConfigMaps holding the files the object's rules are in
// (its own file, and the shared files of its metric mapping / SLOs / alerts), or what the live
// status says while no delivery has fixed the layout yet (rule_layout.h). With a status queue,
// the layout is not asked to take a note before the first delivery: the file keys are returned
// instead, for the queue to name at write time (after that delivery).
template <typename T>
PendingRuleFiles AddRuleConfigMaps(const T& object, const ObjectRef& ref, const Json& live_object,
                                   const ObjectReconcilerDeps& deps, Json& generated) {
  if (deps.rule_layout == nullptr) return std::nullopt;
  render::RenderInputs inputs;
  if constexpr (std::is_same_v<T, model::ApiMonitor>) {
    inputs.api_monitors = std::span<const model::ApiMonitor>(&object, 1);
  } else {
    inputs.exporters = std::span<const model::Exporter>(&object, 1);
  }
  std::vector<std::string> keys;
  for (const render::RenderedFile& f : render::RenderRuleFiles(inputs)) {
    keys.push_back(f.path.substr(f.path.rfind('/') + 1));
  }
  std::vector<std::string> live;
  const Json status = live_object.value("status", Json::object());
  if (status.contains("generated") && status["generated"].contains("ruleConfigMaps")) {
    for (const Json& n : status["generated"]["ruleConfigMaps"]) {
      if (n.is_string()) live.push_back(n.get<std::string>());
    }
  }
  PendingRuleFiles pending;
  auto names = deps.statuses != nullptr ? deps.rule_layout->Names(keys)
                                        : deps.rule_layout->ConfigMapsOf(ref, keys, live);
  if (!names) {
    if (deps.statuses != nullptr) pending = std::move(keys);
    names = std::move(live);
  }
  if (!names->empty()) generated["ruleConfigMaps"] = *names;
  return pending;
}

// Tells the other objects whose duplicate verdict flipped to reconcile again.
inline void RequeueOthers(ObjectReconcilerDeps& deps, const Verdict& verdict) {
  if (!deps.requeue) return;
  for (const ObjectRef& other : verdict.others_changed) deps.requeue(other);
}

// A held-back duplicate as the status and Event say it.
inline const char* DuplicateReason(const std::string& claim) {
  return claim.starts_with("scrape job") ? "DuplicateJob" : "DuplicateOutput";
}
inline std::string DuplicateMessage(const std::pair<std::string, ObjectRef>& duplicate) {
  return duplicate.first + " is also produced by " + duplicate.second.kind + " " +
         duplicate.second.key +
         ", which was created first and keeps it; this object is left out of the "
         "configuration until that changes";
}

// Keeps the Secret watches in step with what `object` references now (nothing when it could
// not be read or is gone).
inline void WatchSecrets(ObjectReconcilerDeps& deps, const std::string& kind,
                         const std::string& key, const std::string& ns,
                         const std::vector<std::string>& names) {
  if (deps.secret_watches != nullptr) deps.secret_watches->SetReferences({kind, key}, ns, names);
}

template <typename T>
Checked<T> Check(
    const Json& object, ObjectWriter& writer,
    const std::function<std::vector<T>(const model::Objects&)>& extract,
    const std::function<std::vector<model::Error>(const T&, const std::vector<model::Secret>&)>&
        validate) {
  Checked<T> out;
  model::ParseResult parsed = model::ParseJson(object.dump());
  std::vector<T> items = extract(parsed.objects);
  if (!parsed.errors.empty() || items.size() != 1) {
    out.errors = std::move(parsed.errors);
    if (out.errors.empty()) {
      model::Error e;
      e.detail = "the object could not be read";
      out.errors.push_back(e);
    }
    return out;
  }
  T item = std::move(items.front());
  std::vector<model::Secret> secrets;
  out.referenced_secrets = ReferencedSecrets(item);
  std::string resolved;
  for (const std::string& name : out.referenced_secrets) {
    // A GET by name: the operator never lists or watches Secrets cluster-wide.
    std::optional<Json> secret = writer.Get(kube::Secrets(), item.metadata.namespace_, name);
    if (!secret) {
      out.missing_secret = true;
      continue;
    }
    (*secret)["apiVersion"] = "v1";
    (*secret)["kind"] = "Secret";
    model::ParseResult s = model::ParseJson(secret->dump());
    for (auto& one : s.objects.secrets) {
      // What the object resolved goes into its fingerprint: a changed Secret value must reach
      // the shared config (the copied scrape credentials) even when the spec did not change.
      // (Hashes, not the bytes: values may be binary, and are not kept.)
      for (const auto& [k, v] : one.data) resolved += name + "/" + k + "=" + ContentHash(v) + "\n";
      secrets.push_back(std::move(one));
    }
  }
  out.errors = validate(item, secrets);
  if (!out.errors.empty()) return out;
  out.secrets = std::move(secrets);
  out.missing_secret = false;
  out.fingerprint = ContentHash(object.value("spec", Json::object()).dump() + "\n" + resolved);
  out.accepted = std::move(item);
  return out;
}

template <typename T>
Result Finish(const Json& object, const Checked<T>& checked, const kube::Resource& resource,
              const Json& generated, ObjectReconcilerDeps& deps, RejectionEvents& events,
              const std::optional<std::pair<std::string, ObjectRef>>& duplicate_of,
              PendingRuleFiles rule_files, const std::string& ready_reason = "ConfigRendered",
              const std::string& ready_message = "in the rendered Prometheus configuration") {
  const Json& meta = object["metadata"];
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  const std::int64_t generation = meta.value("generation", std::int64_t{0});
  const bool ok = checked.accepted.has_value() && !duplicate_of;
  const std::string reason =
      ok ? kReasonValid
         : (duplicate_of ? DuplicateReason(duplicate_of->first) : kReasonInvalidSpec);
  const std::string message =
      ok ? "" : (duplicate_of ? DuplicateMessage(*duplicate_of) : ErrorsMessage(checked.errors));
  std::vector<Condition> conditions = {
      {kConditionAccepted, ok, reason, ok ? "the spec is valid" : message},
      {kConditionReady, ok, ok ? ready_reason : reason,
       ok ? ready_message : "rejected: " + message},
  };
  const Json live = object.value("status", Json());
  const Json next = BuildStatus(live, generation, conditions, generated, deps.clock.WallNow());
  if (deps.statuses != nullptr) {
    // Written after the first delivery, by the queue's own worker (status_queue.h).
    const char* kind = std::is_same_v<T, model::ApiMonitor> ? "ApiMonitor" : "Exporter";
    deps.statuses->Put(StatusUpdate{{kind, ns + "/" + name},
                                    resource,
                                    meta.value("uid", ""),
                                    live,
                                    next,
                                    std::move(rule_files)});
  } else if (live != next) {
    deps.writer.PatchStatus(resource, ns, name, next);
  }
  if (!ok) {
    base::LogWarn("rejected", {{"kind", object.value("kind", "")},
                               {"namespace", ns},
                               {"name", name},
                               {"generation", generation},
                               {"errors", message}});
    if (events.ShouldPost(ns + "/" + name, meta.value("uid", ""), generation, message)) {
      deps.writer.WarningEvent(object, reason, "Validate", message);
    }
    if (checked.missing_secret) return Result::RequeueAfter(deps.missing_secret_recheck);
  }
  return Result::Done();
}

inline Result ErrorResult(const kube::ApiError& e) {
  // Invalid/BadRequest will fail the same way again until the code or the object changes;
  // everything else (5xx, conflicts, throttling, RBAC being fixed) may pass later.
  if (e.reason() == kube::Reason::kInvalid || e.reason() == kube::Reason::kBadRequest) {
    return Result::Terminal(e.what());
  }
  return Result::Retriable(e.what());
}

}  // namespace pulse::controller::internal
