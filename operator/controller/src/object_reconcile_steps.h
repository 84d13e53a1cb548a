// Private: the steps ApiMonitorReconciler and ExporterReconciler share (parse + resolve Secrets
// + validate, then status + Event). Not a public noun; see the reconcilers' headers.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pulse/base/log.h"
#include "pulse/controller/cr_status.h"
#include "pulse/controller/delivery.h"
#include "pulse/controller/object_reconciler.h"
#include "pulse/controller/reconciler.h"
#include "pulse/kube/api_error.h"
#include "pulse/kube/resource.h"
#include "pulse/model/parse.h"

namespace pulse::controller::internal {

inline bool IsBeingDeleted(const Json& object) {
  return object.contains("metadata") && object["metadata"].contains("deletionTimestamp") &&
         !object["metadata"]["deletionTimestamp"].is_null();
}

template <typename T>
struct Checked {
  std::optional<T> accepted;
  std::vector<model::Error> errors;  // non-empty when rejected
  std::string fingerprint;           // identifies what the config renders from
  bool missing_secret = false;       // rejected (also) because a Secret was not found
};

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
  for (const std::string& name : ReferencedSecrets(item)) {
    // A GET by name: the operator never lists or watches Secrets cluster-wide.
    std::optional<Json> secret = writer.Get(kube::Secrets(), item.metadata.namespace_, name);
    if (!secret) {
      out.missing_secret = true;
      continue;
    }
    (*secret)["apiVersion"] = "v1";
    (*secret)["kind"] = "Secret";
    model::ParseResult s = model::ParseJson(secret->dump());
    for (auto& one : s.objects.secrets) secrets.push_back(std::move(one));
  }
  out.errors = validate(item, secrets);
  if (!out.errors.empty()) return out;
  out.missing_secret = false;
  out.fingerprint = ContentHash(object.value("spec", Json::object()).dump());
  out.accepted = std::move(item);
  return out;
}

template <typename T>
Result Finish(const Json& object, const Checked<T>& checked, const kube::Resource& resource,
              const Json& generated, ObjectReconcilerDeps& deps, RejectionEvents& events,
              const std::string& ready_reason = "ConfigRendered",
              const std::string& ready_message = "in the rendered Prometheus configuration") {
  const Json& meta = object["metadata"];
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  const std::int64_t generation = meta.value("generation", std::int64_t{0});
  const bool ok = checked.accepted.has_value();
  const std::string message = ok ? "" : ErrorsMessage(checked.errors);
  std::vector<Condition> conditions = {
      {kConditionAccepted, ok, ok ? kReasonValid : kReasonInvalidSpec,
       ok ? "the spec is valid" : message},
      {kConditionReady, ok, ok ? ready_reason : kReasonInvalidSpec,
       ok ? ready_message : "rejected: " + message},
  };
  const Json live = object.value("status", Json());
  const Json next = BuildStatus(live, generation, conditions, generated, deps.clock.WallNow());
  if (live != next) deps.writer.PatchStatus(resource, ns, name, next);
  if (!ok) {
    base::LogWarn("rejected", {{"kind", object.value("kind", "")},
                               {"namespace", ns},
                               {"name", name},
                               {"generation", generation},
                               {"errors", message}});
    if (events.ShouldPost(ns + "/" + name, meta.value("uid", ""), generation, message)) {
      deps.writer.WarningEvent(object, kReasonInvalidSpec, "Validate", message);
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
