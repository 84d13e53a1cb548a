// Names derived from objects, shared by validation (uniqueness) and the renderers.
#include <algorithm>
#include <chrono>
#include <string>

#include "pulse/model/api_monitor.h"
#include "pulse/model/common_types.h"
#include "pulse/model/exporter.h"

namespace pulse::model {

const char* RelabelActionName(RelabelAction action) {
  switch (action) {
    case RelabelAction::kReplace:
      return "replace";
    case RelabelAction::kKeep:
      return "keep";
    case RelabelAction::kDrop:
      return "drop";
    case RelabelAction::kKeepEqual:
      return "keepequal";
    case RelabelAction::kDropEqual:
      return "dropequal";
    case RelabelAction::kHashMod:
      return "hashmod";
    case RelabelAction::kLabelMap:
      return "labelmap";
    case RelabelAction::kLabelDrop:
      return "labeldrop";
    case RelabelAction::kLabelKeep:
      return "labelkeep";
    case RelabelAction::kLowercase:
      return "lowercase";
    case RelabelAction::kUppercase:
      return "uppercase";
  }
  return "replace";
}

const char* SchemeName(Scheme scheme) { return scheme == Scheme::kHttps ? "https" : "http"; }

const char* ExporterTypeName(ExporterType type) {
  switch (type) {
    case ExporterType::kRabbitMq:
      return "rabbitmq";
    case ExporterType::kPostgreSql:
      return "postgresql";
    case ExporterType::kS3:
      return "s3";
  }
  return "rabbitmq";
}

Duration EffectiveScrapeTimeout(const Endpoint& endpoint) {
  if (endpoint.scrape_timeout) return *endpoint.scrape_timeout;
  const auto ten_seconds = std::chrono::milliseconds(10'000);
  if (endpoint.interval.value < ten_seconds) return endpoint.interval;
  return Duration{ten_seconds, "10s"};
}

std::string ScrapeJobName(const ApiMonitor& monitor, std::size_t endpoint_index) {
  return "apimonitor/" + monitor.metadata.namespace_ + "/" + monitor.metadata.name + "/" +
         std::to_string(endpoint_index);
}

std::string ScrapeJobName(const Exporter& exporter) {
  return "exporter/" + exporter.metadata.namespace_ + "/" + exporter.metadata.name;
}

std::string WorkloadName(const Exporter& exporter) {
  return "pulse-exporter-" + exporter.metadata.name;
}

}  // namespace pulse::model
