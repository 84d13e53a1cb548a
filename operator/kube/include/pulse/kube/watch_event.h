// One line of a Kubernetes watch stream ({"type": ..., "object": {...}}), decoded. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace pulse::kube {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError, kUnknown };

struct WatchEvent {
  WatchEventType type = WatchEventType::kUnknown;
  std::string raw_type;  // as sent, for logs and metrics of unknown types
  nlohmann::json object;
};

// Decodes one line. Throws ApiError(kBadResponse) for malformed JSON, a non-object, or a
// missing/non-object "object"; an unrecognised "type" yields kUnknown (callers skip it).
WatchEvent ParseWatchEvent(std::string_view line);

std::string_view WatchEventTypeName(WatchEventType type);

}  // namespace pulse::kube
