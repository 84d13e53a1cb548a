#include "pulse/exporter/metrics_page.h"

#include "pulse/exporter/exposition.h"

namespace pulse::exporter {
namespace {

double UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

MetricSet SelfMetrics(const std::vector<TargetStatus>& statuses,
                      std::chrono::system_clock::time_point now, const std::string& version) {
  MetricSet m;
  auto& up = m.Family("pulse_exporter_target_up",
                      "1 if the last refresh of the target succeeded, else 0.");
  auto& last = m.Family("pulse_exporter_last_success_timestamp_seconds",
                        "Unix time of the last successful refresh.");
  auto& duration =
      m.Family("pulse_exporter_refresh_duration_seconds", "Duration of the last refresh attempt.");
  auto& refreshes =
      m.Family("pulse_exporter_refreshes_total", "Refresh attempts.", MetricKind::kCounter);
  auto& errors = m.Family("pulse_exporter_refresh_errors_total", "Failed refreshes by reason.",
                          MetricKind::kCounter);
  auto& age = m.Family("pulse_exporter_data_age_seconds",
                       "Age of the served samples of the target (now - last success).");
  for (const auto& s : statuses) {
    const LabelPairs labels = {{"target", s.name}, {"type", s.type}};
    up.samples.push_back({labels, s.up ? 1.0 : 0.0});
    duration.samples.push_back({labels, s.last_duration_seconds});
    refreshes.samples.push_back({labels, static_cast<double>(s.refreshes)});
    for (const auto& [reason, count] : s.errors) {
      LabelPairs l = labels;
      l.push_back({"reason", reason});
      errors.samples.push_back({std::move(l), static_cast<double>(count)});
    }
    if (s.last_success) {
      last.samples.push_back({labels, UnixSeconds(*s.last_success)});
      const double seconds = std::chrono::duration<double>(now - *s.last_success).count();
      age.samples.push_back({labels, seconds < 0 ? 0 : seconds});
    }
  }
  m.Add("pulse_exporter_build_info", "Always 1; the version label says which.",
        {{"version", version}}, 1);
  return m;
}

MetricsPage::MetricsPage(std::vector<const TargetRunner*> runners, std::string version, Clock clock)
    : runners_(std::move(runners)), version_(std::move(version)), clock_(std::move(clock)) {}

std::string MetricsPage::Render() const {
  std::vector<TargetStatus> statuses;
  statuses.reserve(runners_.size());
  for (const auto* r : runners_) statuses.push_back(r->Snapshot());
  const RenderedFamilies self = RenderFamilies(SelfMetrics(statuses, clock_(), version_), "");
  std::vector<const RenderedFamilies*> parts = {&self};
  for (const auto& s : statuses) parts.push_back(s.rendered.get());
  return AssembleExposition(parts);
}

}  // namespace pulse::exporter
