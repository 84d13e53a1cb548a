#include "pulse/exporter/cached_collector.h"

#include <prometheus/metric_family.h>

#include <unordered_map>

namespace pulse::exporter {
namespace {

prometheus::MetricFamily MakeFamily(std::string name, std::string help, prometheus::MetricType t) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = t;
  return f;
}

prometheus::ClientMetric Gauge(std::vector<prometheus::ClientMetric::Label> labels, double v) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = v;
  return m;
}

double UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

std::vector<prometheus::MetricFamily> SelfMetrics(const std::vector<TargetStatus>& statuses,
                                                  std::chrono::system_clock::time_point now,
                                                  const std::string& version) {
  using prometheus::MetricType;
  auto up = MakeFamily("pulse_exporter_target_up",
                       "1 if the last refresh of the target succeeded, else 0.", MetricType::Gauge);
  auto last = MakeFamily("pulse_exporter_last_success_timestamp_seconds",
                         "Unix time of the last successful refresh.", MetricType::Gauge);
  auto duration = MakeFamily("pulse_exporter_refresh_duration_seconds",
                             "Duration of the last refresh attempt.", MetricType::Gauge);
  auto refreshes =
      MakeFamily("pulse_exporter_refreshes_total", "Refresh attempts.", MetricType::Counter);
  auto errors = MakeFamily("pulse_exporter_refresh_errors_total", "Failed refreshes by reason.",
                           MetricType::Counter);
  auto age = MakeFamily("pulse_exporter_data_age_seconds",
                        "Age of the served samples of the target (now - last success).",
                        MetricType::Gauge);
  for (const auto& s : statuses) {
    std::vector<prometheus::ClientMetric::Label> labels = {{"target", s.name}, {"type", s.type}};
    up.metric.push_back(Gauge(labels, s.up ? 1 : 0));
    duration.metric.push_back(Gauge(labels, s.last_duration_seconds));
    prometheus::ClientMetric r;
    r.label = labels;
    r.counter.value = static_cast<double>(s.refreshes);
    refreshes.metric.push_back(std::move(r));
    for (const auto& [reason, count] : s.errors) {
      prometheus::ClientMetric e;
      e.label = labels;
      e.label.push_back({"reason", reason});
      e.counter.value = static_cast<double>(count);
      errors.metric.push_back(std::move(e));
    }
    if (s.last_success) {
      last.metric.push_back(Gauge(labels, UnixSeconds(*s.last_success)));
      const double seconds = std::chrono::duration<double>(now - *s.last_success).count();
      age.metric.push_back(Gauge(labels, seconds < 0 ? 0 : seconds));
    }
  }
  auto info = MakeFamily("pulse_exporter_build_info", "Always 1; the version label says which.",
                         MetricType::Gauge);
  info.metric.push_back(Gauge({{"version", version}}, 1));
  std::vector<prometheus::MetricFamily> out;
  for (auto* f : {&up, &last, &duration, &refreshes, &errors, &age, &info}) {
    out.push_back(std::move(*f));
  }
  return out;
}

CachedCollector::CachedCollector(std::vector<const TargetRunner*> runners, std::string version,
                                 Clock clock)
    : runners_(std::move(runners)), version_(std::move(version)), clock_(std::move(clock)) {}

std::vector<prometheus::MetricFamily> CachedCollector::Collect() const {
  std::vector<TargetStatus> statuses;
  statuses.reserve(runners_.size());
  for (const auto* r : runners_) statuses.push_back(r->Snapshot());
  std::vector<prometheus::MetricFamily> out = SelfMetrics(statuses, clock_(), version_);
  // Targets of the same type produce families of the same name: merge them, since a name may
  // appear only once in an exposition.
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& s : statuses) {
    for (const auto& family : *s.families) {
      auto [it, inserted] = index.try_emplace(family.name, out.size());
      if (inserted) {
        out.push_back(family);
      } else {
        auto& merged = out[it->second].metric;
        merged.insert(merged.end(), family.metric.begin(), family.metric.end());
      }
    }
  }
  return out;
}

std::vector<prometheus::MetricFamily> HealthCollectable::Collect() const {
  auto f = MakeFamily("pulse_exporter_healthy", "Always 1 while the exporter serves.",
                      prometheus::MetricType::Gauge);
  f.metric.push_back(Gauge({}, 1));
  return {std::move(f)};
}

}  // namespace pulse::exporter
