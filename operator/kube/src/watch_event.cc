#include "pulse/kube/watch_event.h"

#include "pulse/kube/api_error.h"

namespace pulse::kube {

WatchEvent ParseWatchEvent(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& what) {
    return ApiError(Reason::kBadResponse, 0,
                    "watch stream: " + what + " (" + std::to_string(line.size()) + " bytes)");
  };
  if (j.is_discarded()) throw bad("line is not valid JSON");
  if (!j.is_object()) throw bad("line is not a JSON object");
  auto t = j.find("type");
  if (t == j.end() || !t->is_string()) throw bad("event without a string \"type\"");
  auto o = j.find("object");
  if (o == j.end() || !o->is_object()) throw bad("event without an \"object\"");
  WatchEvent ev;
  ev.raw_type = t->get<std::string>();
  if (ev.raw_type == "ADDED") {
    ev.type = WatchEventType::kAdded;
  } else if (ev.raw_type == "MODIFIED") {
    ev.type = WatchEventType::kModified;
  } else if (ev.raw_type == "DELETED") {
    ev.type = WatchEventType::kDeleted;
  } else if (ev.raw_type == "BOOKMARK") {
    ev.type = WatchEventType::kBookmark;
  } else if (ev.raw_type == "ERROR") {
    ev.type = WatchEventType::kError;
  }
  ev.object = std::move(*o);
  return ev;
}

std::string_view WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
    case WatchEventType::kBookmark:
      return "BOOKMARK";
    case WatchEventType::kError:
      return "ERROR";
    case WatchEventType::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

}  // namespace pulse::kube
