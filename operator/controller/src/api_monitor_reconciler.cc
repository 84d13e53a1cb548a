#include "pulse/controller/api_monitor_reconciler.h"

#include "object_reconcile_steps.h"
#include "pulse/controller/resources.h"
#include "pulse/model/validate.h"
#include "pulse/render/dashboard_renderer.h"

namespace pulse::controller {

Result ApiMonitorReconciler::Reconcile(const std::string& key) {
  const kube::ObjectPtr object = deps_.lister(key);
  if (!object || internal::IsBeingDeleted(*object)) {
    events_.Forget(key);
    if (deps_.accepted.RemoveApiMonitor(key)) deps_.config_changed();
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
    Json generated = Json::object();
    if (checked.accepted) {
      const model::ApiMonitor& m = *checked.accepted;
      Json jobs = Json::array();
      for (size_t i = 0; i < m.spec.endpoints.size(); ++i)
        jobs.push_back(model::ScrapeJobName(m, i));
      generated["scrapeJobs"] = std::move(jobs);
      // Every API is in the templated RED dashboard; its own dashboard only on request.
      generated["dashboardUid"] =
          m.spec.dashboard.per_monitor && m.spec.red.dashboard
              ? render::DashboardUid("ApiMonitor", m.metadata.namespace_, m.metadata.name)
              : std::string("pulse-red");
      if (deps_.accepted.AcceptApiMonitor(key, m, checked.fingerprint)) deps_.config_changed();
      events_.Forget(key);
    } else if (deps_.accepted.RejectApiMonitor(key)) {
      deps_.config_changed();
    }
    return internal::Finish(*object, checked, ApiMonitors(), generated, deps_, events_);
  } catch (const kube::ApiError& e) {
    return internal::ErrorResult(e);
  }
}

}  // namespace pulse::controller
