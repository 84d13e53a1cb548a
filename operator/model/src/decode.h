// Private: typed decoding of one Kubernetes object (already a JSON value) into the model.
// Each function returns the object, or nothing after appending its errors to `errors`.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "json_reader.h"
#include "pulse/model/alerts.h"
#include "pulse/model/api_monitor.h"
#include "pulse/model/exporter.h"
#include "pulse/model/secret.h"

namespace pulse::model::internal {

// The error prototype for an object: file, kind and (best-effort) namespace/name.
Error ObjectPrototype(const nlohmann::json& object, const Source& source, const std::string& kind);

// metadata: name (required), namespace, uid, generation, resourceVersion, labels, annotations;
// other metadata fields are ignored.
void ReadObjectMeta(ObjectReader& top, ObjectMeta& meta);

// `key` of `parent` as alert blocks of `scope` (alerts.h): known keys only, strict fields.
void ReadAlertOverrides(ObjectReader& parent, std::string_view key, AlertScope scope,
                        AlertOverrides& out);

std::optional<ApiMonitor> DecodeApiMonitor(const nlohmann::json& object, const Source& source,
                                           std::vector<Error>& errors);
std::optional<Exporter> DecodeExporter(const nlohmann::json& object, const Source& source,
                                       std::vector<Error>& errors);
std::optional<Secret> DecodeSecret(const nlohmann::json& object, const Source& source,
                                   std::vector<Error>& errors);

}  // namespace pulse::model::internal
