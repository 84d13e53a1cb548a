#include "pulse/controller/api_monitor_reconciler.h"

#include "object_reconcile_steps.h"
#include "pulse/controller/resources.h"
#include "pulse/controller/scrape_credentials.h"
#include "pulse/model/validate.h"
#include "pulse/render/dashboard_renderer.h"

namespace pulse::controller {

Result ApiMonitorReconciler::Reconcile(const std::string& key) {
  const kube::ObjectPtr object = deps_.lister(key);
  if (!object || internal::IsBeingDeleted(*object)) {
    events_.Forget(key);
    internal::WatchSecrets(deps_, "ApiMonitor", key, "", {});
    if (deps_.statuses != nullptr) deps_.statuses->Forget({"ApiMonitor", key});
    const Verdict v = deps_.accepted.Remove("ApiMonitor", key);
    if (v.config_changed) deps_.config_changed();
    internal::RequeueOthers(deps_, v);
    return Result::Done();
  }
  try {
    internal::Checked<model::ApiMonitor> checked = internal::Check<model::ApiMonitor>(
        *object, deps_.writer, [](const model::Objects& o) { return o.api_monitors; },
        [](const model::ApiMonitor& m, const std::vector<model::Secret>& secrets) {
          model::ValidateOptions options;
          options.require_secrets = true;
          return model::ValidateApiMonitor(m, secrets, options);
        });
    internal::WatchSecrets(deps_, "ApiMonitor", key, (*object)["metadata"].value("namespace", ""),
                           checked.referenced_secrets);
    Json generated = Json::object();
    internal::PendingRuleFiles rule_files;
    Verdict verdict;
    if (checked.accepted) {
      const model::ApiMonitor& m = *checked.accepted;
      Candidate candidate;
      candidate.fingerprint = checked.fingerprint;
      candidate.created = internal::CreationTimestamp(*object);
      candidate.credentials = ScrapeCredentials(m, checked.secrets);
      Json jobs = Json::array();
      for (size_t i = 0; i < m.spec.endpoints.size(); ++i) {
        jobs.push_back(model::ScrapeJobName(m, i));
        candidate.claims.push_back("scrape job " + model::ScrapeJobName(m, i));
      }
      // Every API is in the templated RED dashboard; its own dashboard only on request.
      const bool own_dashboard = m.spec.dashboard.per_monitor && m.spec.red.dashboard;
      const std::string uid =
          own_dashboard ? render::DashboardUid("ApiMonitor", m.metadata.namespace_, m.metadata.name)
                        : std::string(render::kRedDashboardUid);
      if (own_dashboard) {
        const std::string configmap = internal::OwnDashboardConfigMap(m, deps_);
        candidate.claims.push_back("dashboard ConfigMap " + configmap);
        candidate.claims.push_back("dashboard uid " + uid);
        generated["dashboard"] = configmap;
      }
      generated["scrapeJobs"] = std::move(jobs);
      generated["dashboardUid"] = uid;
      verdict = deps_.accepted.OfferApiMonitor(key, m, std::move(candidate));
      if (verdict.duplicate_of) {
        generated = Json::object();  // held back: nothing of it is produced
      } else {
        rule_files = internal::AddRuleConfigMaps(m, {"ApiMonitor", key}, *object, deps_, generated);
        events_.Forget(key);
      }
    } else {
      verdict = deps_.accepted.Reject("ApiMonitor", key);
    }
    if (verdict.config_changed) deps_.config_changed();
    internal::RequeueOthers(deps_, verdict);
    return internal::Finish(*object, checked, ApiMonitors(), generated, deps_, events_,
                            verdict.duplicate_of, std::move(rule_files));
  } catch (const kube::ApiError& e) {
    return internal::ErrorResult(e);
  }
}

}  // namespace pulse::controller
