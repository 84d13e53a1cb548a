#include "pulse/model/alerts.h"

#include <array>

namespace pulse::model {
namespace {

using U = ThresholdUnit;
using S = AlertScope;

// Built-in defaults: the values pulse used before the CRDs had alert fields, so a resource
// without `spec.alerts` renders exactly the alerts it always did.
const std::array<AlertDefinition, 11>& Catalogue() {
  static const std::array<AlertDefinition, 11> kCatalogue = {{
      {"targetDown",
       "PulseApiTargetDown",
       S::kApiMonitor,
       {},
       U::kNone,
       0,
       "5m",
       "",
       "warning",
       "a scrape target reports up == 0"},
      {"targetAbsent",
       "PulseApiTargetAbsent",
       S::kApiMonitor,
       {},
       U::kNone,
       0,
       "5m",
       "10m",
       "warning",
       "a scrape job has no target at all over the window"},
      {"errorRatio",
       "PulseApiHighErrorRatio",
       S::kApiMonitor,
       {},
       U::kRatio,
       0.05,
       "10m",
       "",
       "warning",
       "5xx ratio above the threshold (monitors without an availability SLO)"},
      {"latencyP99",
       "PulseApiHighLatency",
       S::kApiMonitor,
       {},
       U::kSeconds,
       1.0,
       "10m",
       "",
       "warning",
       "p99 latency above the threshold in seconds (monitors without a latency SLO)"},
      {"exporterDown",
       "PulseExporterDown",
       S::kExporter,
       {},
       U::kNone,
       0,
       "5m",
       "",
       "warning",
       "pulse-exporter reports up == 0"},
      {"exporterAbsent",
       "PulseExporterAbsent",
       S::kExporter,
       {},
       U::kNone,
       0,
       "5m",
       "10m",
       "warning",
       "the exporter's scrape job has no target at all over the window"},
      {"targetDown",
       "PulseExporterTargetDown",
       S::kExporter,
       {},
       U::kNone,
       0,
       "5m",
       "",
       "critical",
       "the system behind the exporter is unreachable"},
      {"deadLetterGrowth",
       "PulseRabbitMqDeadLetterGrowing",
       S::kExporter,
       {"rabbitmq"},
       U::kMessages,
       0,
       "10m",
       "10m",
       "warning",
       "a dead-letter queue grew by more than the threshold (messages) within the window"},
      {"inFlightBacklog",
       "PulseRabbitMqInFlightBacklog",
       S::kExporter,
       {"rabbitmq"},
       U::kMessages,
       1000,
       "15m",
       "",
       "warning",
       "unacknowledged messages in one queue above the threshold"},
      {"connectionsNearMax",
       "PulsePostgresConnectionsNearMax",
       S::kExporter,
       {"postgresql"},
       U::kRatio,
       0.8,
       "10m",
       "",
       "warning",
       "connections above this fraction of max_connections"},
      {"sizeGrowth",
       "",
       S::kExporter,
       {"postgresql", "s3"},
       U::kGrowthRatio,
       0.2,
       "0s",
       "1h",
       "warning",
       "a database / bucket grew by more than this fraction within the window"},
  }};
  return kCatalogue;
}

void Apply(EffectiveAlert& e, const AlertOverride& o) {
  if (o.enabled) e.enabled = *o.enabled;
  if (o.threshold) e.threshold = *o.threshold;
  if (o.for_) e.for_ = *o.for_;
  if (o.window) e.window = *o.window;
  if (o.severity) e.severity = *o.severity;
  for (const auto& [k, v] : o.labels) e.labels[k] = v;
  if (o.runbook_url) e.runbook_url = *o.runbook_url;
}

}  // namespace

std::span<const AlertDefinition> AlertCatalogue() { return Catalogue(); }

const AlertDefinition* FindAlert(AlertScope scope, std::string_view key) {
  for (const AlertDefinition& d : Catalogue()) {
    if (d.scope == scope && d.key == key) return &d;
  }
  return nullptr;
}

EffectiveAlert ResolveAlert(const AlertDefinition& def, const AlertOverrides* cluster,
                            const AlertOverrides* object) {
  EffectiveAlert e;
  e.threshold = def.threshold;
  e.for_ = MakeDuration(def.for_);
  if (!def.window.empty()) e.window = MakeDuration(def.window);
  e.severity = std::string(def.severity);
  for (const AlertOverrides* layer : {cluster, object}) {
    if (layer == nullptr) continue;
    if (auto it = layer->find(std::string(def.key)); it != layer->end()) Apply(e, it->second);
  }
  return e;
}

}  // namespace pulse::model
