// Grafana dashboards (JSON model, schemaVersion 39): one templated RED dashboard for every API
// (namespace / API variables over the shared recording rules), one overview of everything, per
// Exporter an infrastructure dashboard, and per ApiMonitor a dashboard of its own only when it
// asks for one (spec.dashboard.perMonitor). The data source is the
// template variable `datasource` (type prometheus), so the same JSON works in any Grafana; uids
// are stable hashes of kind/namespace/name (DashboardUid), so links and bookmarks survive a
// re-render. Panels and their PromQL are listed in docs/rendering.md.
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pulse/render/render_inputs.h"

namespace pulse::render {

// "pulse-api-<12 hex>" / "pulse-exp-<12 hex>": FNV-1a 64 of "<kind>/<namespace>/<name>",
// truncated. kind is "ApiMonitor" or "Exporter". At most 40 characters, Grafana's limit.
std::string DashboardUid(std::string_view kind, std::string_view namespace_, std::string_view name);
inline constexpr const char* kOverviewDashboardUid = "pulse-overview";
inline constexpr const char* kRedDashboardUid = "pulse-red";

std::string RenderApiMonitorDashboard(const model::ApiMonitor& monitor,
                                      const RenderOptions& options);
std::string RenderExporterDashboard(const model::Exporter& exporter, const RenderOptions& options);
// Built on the recording rules and the pulse_apimonitor / pulse_exporter labels only, so it does
// not depend on which objects exist (it is also shipped as dashboards/pulse-overview.json).
std::string RenderOverviewDashboard(const RenderOptions& options);
// The templated RED dashboard: variables `namespace` and `api` (label_values of
// pulse_apimonitor), panels on the shared recording rules. Independent of the objects too; also
// shipped as dashboards/pulse-red.json.
std::string RenderRedDashboard(const RenderOptions& options);

// "dashboards/apimonitor_<ns>_<name>.json" for each ApiMonitor with spec.dashboard.perMonitor
// (and red.dashboard, deprecated, not false), "dashboards/exporter_<ns>_<name>.json" for each
// Exporter, "dashboards/overview.json" and "dashboards/red.json"; sorted by path.
std::vector<RenderedFile> RenderDashboards(const RenderInputs& inputs);

}  // namespace pulse::render
