// Creates the Target for one configured target (the only place that knows every target type).
#pragma once

#include <memory>

#include "pulse/exporter/config.h"
#include "pulse/exporter/http_client.h"
#include "pulse/exporter/target.h"

namespace pulse::exporter {

std::unique_ptr<Target> MakeTarget(const TargetConfig& config, std::shared_ptr<HttpClient> http);

}  // namespace pulse::exporter
