// Prometheus rule files for ApiMonitors and Exporters. What is rendered grows with what differs
// between the ApiMonitors, not with their number (docs/rendering.md, "Rule catalogue"):
//   - RED recording rules once per distinct metric-name mapping (the names in `spec.red`),
//     aggregating by pulse_apimonitor over every monitor of that mapping. The scrape config
//     labels each target with its mapping (pulse_red_mapping), so two mappings never read each
//     other's series even when they share a histogram name;
//   - one generic SLO group (error / slow ratios over the SRE workbook windows) and one generic
//     alert group (target down, 5xx ratio, p99, and the multi-window multi-burn-rate alerts, one
//     set per distinct SLO window) that join on per-monitor series;
//   - per ApiMonitor only what is its own: a one-line series per SLO objective, per scrape job
//     (the absent-target alert), per alert threshold that differs from the cluster's, and a
//     marker per alert it switches off; only an alert whose `for`, severity, labels or runbook
//     differ becomes a rule of the monitor's own. A monitor with alerts off and no SLO gets a
//     single marker.
// Per Exporter: its infrastructure alerts.
//
// Recorded series carry the canonical label names (method, route, status, user) whatever the
// mapping, so one templated dashboard serves every API.
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <string>
#include <vector>

#include "pulse/render/render_inputs.h"

namespace pulse::render {

// Recording rule names (the `level:metric:operation` convention). Every series has the label
// pulse_apimonitor="<namespace>/<name>"; mapped label names are renamed to the level's names.
namespace rules {
inline constexpr const char* kRequestsByMethodRouteStatus =
    "pulse_apimonitor_method_route_status:http_requests:rate5m";
inline constexpr const char* kRequests = "pulse_apimonitor:http_requests:rate5m";
inline constexpr const char* kErrors = "pulse_apimonitor:http_request_errors:rate5m";
inline constexpr const char* kErrorRatio = "pulse_apimonitor:http_request_errors:ratio_rate5m";
inline constexpr const char* kErrorRatioByMethodRoute =
    "pulse_apimonitor_method_route:http_request_errors:ratio_rate5m";
// + ":p50_5m" / ":p90_5m" / ":p99_5m"
inline constexpr const char* kLatencyByMethodRoute =
    "pulse_apimonitor_method_route:http_request_duration_seconds";
inline constexpr const char* kLatency = "pulse_apimonitor:http_request_duration_seconds";
inline constexpr const char* kUserRequests = "pulse_apimonitor_user:http_requests:rate5m";
// + ":rate<window>", window in 5m 30m 1h 2h 6h 1d 3d
inline constexpr const char* kSloAvailabilityErrorRatio =
    "pulse_apimonitor:slo_availability_error_ratio";
inline constexpr const char* kSloLatencySlowRatio = "pulse_apimonitor:slo_latency_slow_ratio";
// Inputs of the windowed SLO ratios, only for monitors with an SLO (so the long windows read one
// recorded series per monitor, not every raw series of every API).
inline constexpr const char* kSloRequests = "pulse_apimonitor:slo_requests:rate5m";
inline constexpr const char* kSloErrors = "pulse_apimonitor:slo_availability_errors:rate5m";
inline constexpr const char* kSloFastRequests = "pulse_apimonitor:slo_latency_fast_requests:rate5m";
// Per monitor: one series per SLO, value = objective as a ratio (99.9 % -> 0.999), labels
// pulse_apimonitor, slo ("availability" / "latency"), slo_window (canonical duration, "30d") and
// for latency slo_threshold (seconds, "0.25").
inline constexpr const char* kSloObjective = "pulse_apimonitor:slo_objective:ratio";
// Per monitor with `red.alerts: false`: value 1; every generic alert skips these monitors.
inline constexpr const char* kAlertsDisabled = "pulse_apimonitor:alerts:disabled";
// Per monitor whose spec.alerts.<key>.threshold differs from the cluster's: value = its
// threshold, labels pulse_apimonitor and alert (the alert name). The shared alert compares
// against it, falling back to the cluster-wide constant.
inline constexpr const char* kAlertThreshold = "pulse_apimonitor:alert_threshold:value";
// Per monitor and alert the shared rule must skip (switched off, or the monitor has a rule of
// its own because its `for`, severity, labels or runbook differ): value 1, labels
// pulse_apimonitor and alert.
inline constexpr const char* kAlertGenericDisabled = "pulse_apimonitor:alert_generic:disabled";
// Per scrape job of a monitor with the shared absent-target alert: value 1, labels
// pulse_apimonitor, pulse_endpoint (index), scrape_job (job name) and absent_window (the
// look-back the shared alert of that window uses).
inline constexpr const char* kScrapeJobExpected = "pulse_apimonitor:scrape_job:expected";
}  // namespace rules

// Alert names.
namespace alerts {
inline constexpr const char* kApiTargetDown = "PulseApiTargetDown";
inline constexpr const char* kApiTargetAbsent = "PulseApiTargetAbsent";
inline constexpr const char* kApiErrorBudgetBurn = "PulseApiErrorBudgetBurn";
inline constexpr const char* kApiLatencyBudgetBurn = "PulseApiLatencyBudgetBurn";
inline constexpr const char* kApiHighErrorRatio = "PulseApiHighErrorRatio";
inline constexpr const char* kApiHighLatency = "PulseApiHighLatency";
inline constexpr const char* kExporterDown = "PulseExporterDown";
inline constexpr const char* kExporterAbsent = "PulseExporterAbsent";
inline constexpr const char* kExporterTargetDown = "PulseExporterTargetDown";
inline constexpr const char* kRabbitMqDeadLetterGrowing = "PulseRabbitMqDeadLetterGrowing";
inline constexpr const char* kRabbitMqInFlightBacklog = "PulseRabbitMqInFlightBacklog";
inline constexpr const char* kPostgresConnectionsNearMax = "PulsePostgresConnectionsNearMax";
inline constexpr const char* kPostgresDatabaseGrowth = "PulsePostgresDatabaseGrowth";
inline constexpr const char* kS3BucketGrowth = "PulseS3BucketGrowth";
}  // namespace alerts

// The name of a monitor's metric-name mapping: "default" for the default names, otherwise the
// histogram name (characters outside [a-zA-Z0-9_-] replaced by '_', at most 40) + "-" + 12 hex
// digits of a hash of all six names. Stable across renders and versions: it is the value of the
// pulse_red_mapping target label and part of rule file and group names.
std::string RedMappingName(const model::RedSpec& red);
inline constexpr const char* kDefaultRedMapping = "default";

// The per-monitor rule file (`groups:`), or "" when the monitor has nothing of its own.
std::string RenderApiMonitorRules(const model::ApiMonitor& monitor, const RenderOptions& options);
std::string RenderExporterRules(const model::Exporter& exporter, const RenderOptions& options);

// Every rule file, sorted by path:
//   rules/apimonitors-red-<mapping>.yaml   one per distinct mapping (group pulse/red/<mapping>)
//   rules/apimonitors-slo.yaml             when any monitor has an SLO (group pulse/slo)
//   rules/apimonitors-alerts.yaml          when any monitor has alerts on (group pulse/alerts)
//   rules/apimonitor_<ns>_<name>.yaml      per monitor with anything of its own
//   rules/exporter_<ns>_<name>.yaml        per Exporter
std::vector<RenderedFile> RenderRuleFiles(const RenderInputs& inputs);

}  // namespace pulse::render
