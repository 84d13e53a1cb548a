// Prometheus rule files: per ApiMonitor the RED recording rules, SLO burn-rate recording rules
// and alerts (multi-window, multi-burn-rate, as in the Google SRE workbook), and per Exporter
// the infrastructure alerts. The catalogue with every name and expression is in
// docs/rendering.md; metric names not taken from the `red` block are in metric_names.h.
//
// Every rule selects its object's series by the label the scrape config adds
// (pulse_apimonitor / pulse_exporter = "<namespace>/<name>"), so rule files of different
// objects never see each other's data.
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <string>
#include <vector>

#include "pulse/render/render_inputs.h"

namespace pulse::render {

// Recording rule names (the `level:metric:operation` convention; the level names the default
// labels — an ApiMonitor whose `red` block maps other label names keeps those names).
namespace rules {
inline constexpr const char* kRequestsByMethodRouteStatus =
    "pulse_apimonitor_method_route_status:http_requests:rate5m";
inline constexpr const char* kRequests = "pulse_apimonitor:http_requests:rate5m";
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
}  // namespace rules

// Alert names.
namespace alerts {
inline constexpr const char* kApiTargetDown = "PulseApiTargetDown";
inline constexpr const char* kApiErrorBudgetBurn = "PulseApiErrorBudgetBurn";
inline constexpr const char* kApiLatencyBudgetBurn = "PulseApiLatencyBudgetBurn";
inline constexpr const char* kApiHighErrorRatio = "PulseApiHighErrorRatio";
inline constexpr const char* kApiHighLatency = "PulseApiHighLatency";
inline constexpr const char* kExporterDown = "PulseExporterDown";
inline constexpr const char* kExporterTargetDown = "PulseExporterTargetDown";
inline constexpr const char* kRabbitMqDeadLetterGrowing = "PulseRabbitMqDeadLetterGrowing";
inline constexpr const char* kRabbitMqInFlightBacklog = "PulseRabbitMqInFlightBacklog";
inline constexpr const char* kPostgresConnectionsNearMax = "PulsePostgresConnectionsNearMax";
inline constexpr const char* kPostgresDatabaseGrowth = "PulsePostgresDatabaseGrowth";
inline constexpr const char* kS3BucketGrowth = "PulseS3BucketGrowth";
}  // namespace alerts

// One rule file (`groups:`) for one ApiMonitor / Exporter.
std::string RenderApiMonitorRules(const model::ApiMonitor& monitor, const RenderOptions& options);
std::string RenderExporterRules(const model::Exporter& exporter, const RenderOptions& options);

// Every rule file: "rules/apimonitor_<ns>_<name>.yaml", "rules/exporter_<ns>_<name>.yaml",
// sorted by path.
std::vector<RenderedFile> RenderRuleFiles(const RenderInputs& inputs);

}  // namespace pulse::render
