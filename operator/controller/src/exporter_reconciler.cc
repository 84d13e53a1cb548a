#include "pulse/controller/exporter_reconciler.h"

#include "object_reconcile_steps.h"
#include "pulse/controller/resources.h"
#include "pulse/model/validate.h"
#include "pulse/render/dashboard_renderer.h"
#include "pulse/render/exporter_config_renderer.h"

namespace pulse::controller {

Result ExporterReconciler::Reconcile(const std::string& key) {
  const kube::ObjectPtr object = deps_.lister(key);
  if (!object || internal::IsBeingDeleted(*object)) {
    // The workload goes with the Exporter (ownerReferences); only our records remain.
    events_.Forget(key);
    internal::WatchSecrets(deps_, "Exporter", key, "", {});
    if (deps_.statuses != nullptr) deps_.statuses->Forget({"Exporter", key});
    {
      std::lock_guard lock(mu_);
      applied_.erase(key);
    }
    const Verdict v = deps_.accepted.Remove("Exporter", key);
    if (v.config_changed) deps_.config_changed();
    internal::RequeueOthers(deps_, v);
    return Result::Done();
  }
  try {
    internal::Checked<model::Exporter> checked = internal::Check<model::Exporter>(
        *object, deps_.writer, [](const model::Objects& o) { return o.exporters; },
        [](const model::Exporter& x, const std::vector<model::Secret>& secrets) {
          model::ValidateOptions options;
          options.require_secrets = true;
          return model::ValidateExporter(x, secrets, options);
        });
    internal::WatchSecrets(deps_, "Exporter", key, (*object)["metadata"].value("namespace", ""),
                           checked.referenced_secrets);
    Json generated = Json::object();
    internal::PendingRuleFiles rule_files;
    Verdict verdict;
    if (checked.accepted) {
      const model::Exporter& x = *checked.accepted;
      // Claims first: a duplicate is held back before anything of it is applied.
      Candidate candidate;
      candidate.fingerprint = checked.fingerprint;
      candidate.created = internal::CreationTimestamp(*object);
      const std::string dashboard = internal::OwnDashboardConfigMap(x, deps_);
      const std::string dashboard_uid =
          render::DashboardUid("Exporter", x.metadata.namespace_, x.metadata.name);
      candidate.claims = {"scrape job " + model::ScrapeJobName(x),
                          "dashboard ConfigMap " + dashboard, "dashboard uid " + dashboard_uid};
      verdict = deps_.accepted.OfferExporter(key, x, std::move(candidate));
      if (verdict.config_changed) deps_.config_changed();
      internal::RequeueOthers(deps_, verdict);
      if (verdict.duplicate_of) {
        return internal::Finish(*object, checked, Exporters(), generated, deps_, events_,
                                verdict.duplicate_of, std::nullopt);
      }
      const std::string uid = (*object)["metadata"].value("uid", "");
      ExporterWorkload w =
          BuildExporterWorkload(x, uid, render::RenderExporterConfig(x), workload_);
      const std::string hash =
          ContentHash(w.config_map.dump() + w.deployment.dump() + w.service.dump());
      bool needs_apply = false;
      {
        std::lock_guard lock(mu_);
        needs_apply = applied_[key] != hash;
      }
      if (needs_apply) {
        const std::string& ns = x.metadata.namespace_;
        // The ConfigMap first: the Deployment's pods mount it.
        deps_.writer.Apply(kube::ConfigMaps(), ns, w.config_map["metadata"]["name"], w.config_map);
        deps_.writer.Apply(Deployments(), ns, w.deployment["metadata"]["name"], w.deployment);
        deps_.writer.Apply(Services(), ns, w.service["metadata"]["name"], w.service);
        std::lock_guard lock(mu_);
        applied_[key] = hash;
      }
      generated["deployment"] = w.deployment["metadata"]["name"];
      generated["service"] = w.service["metadata"]["name"];
      generated["configMap"] = w.config_map["metadata"]["name"];
      generated["scrapeJob"] = model::ScrapeJobName(x);
      generated["dashboardUid"] = dashboard_uid;
      generated["dashboard"] = dashboard;
      rule_files = internal::AddRuleConfigMaps(x, {"Exporter", key}, *object, deps_, generated);
      events_.Forget(key);
    } else {
      verdict = deps_.accepted.Reject("Exporter", key);
      if (verdict.config_changed) deps_.config_changed();
      internal::RequeueOthers(deps_, verdict);
    }
    return internal::Finish(*object, checked, Exporters(), generated, deps_, events_,
                            verdict.duplicate_of, std::move(rule_files), "WorkloadApplied",
                            "exporter Deployment and Service applied; scrape job rendered");
  } catch (const kube::ApiError& e) {
    return internal::ErrorResult(e);
  }
}

}  // namespace pulse::controller
