#include "pulse/kube/event_recorder.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>

#include "pulse/kube/rest_client.h"
#include "pulse/kube/time_format.h"

namespace pulse::kube {

EventRecorder::EventRecorder(const Client& client, EventRecorderOptions options)
    : client_(client), options_(std::move(options)) {
  if (options_.reporting_instance.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof(host) - 1) == 0) options_.reporting_instance = host;
    if (options_.reporting_instance.empty()) options_.reporting_instance = "pulse-operator";
  }
}

nlohmann::json EventRecorder::Record(const nlohmann::json& regarding, EventType type,
                                     const std::string& reason, const std::string& action,
                                     const std::string& note) const {
  const auto& md = regarding.at("metadata");
  const std::string name = md.at("name").get<std::string>();
  const std::string ns = md.value("namespace", client_.default_namespace());
  // Unique, valid name: object name + hex nanoseconds + a per-process counter.
  static std::atomic<unsigned> counter{0};
  const auto now = std::chrono::system_clock::now();
  char suffix[40];
  std::snprintf(suffix, sizeof(suffix), ".%llx%04x",
                static_cast<unsigned long long>(now.time_since_epoch().count()),
                counter.fetch_add(1) & 0xFFFF);
  std::string event_name = name.substr(0, 200) + suffix;
  nlohmann::json ref = {{"apiVersion", regarding.value("apiVersion", "")},
                        {"kind", regarding.value("kind", "")},
                        {"name", name}};
  if (md.contains("namespace")) ref["namespace"] = md["namespace"];
  if (md.contains("uid")) ref["uid"] = md["uid"];
  if (md.contains("resourceVersion")) ref["resourceVersion"] = md["resourceVersion"];
  // The API caps note at 1 KiB; cut on a UTF-8 character boundary.
  size_t cut = std::min<size_t>(note.size(), 1024);
  if (cut < note.size()) {
    while (cut > 0 && (static_cast<unsigned char>(note[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string text = note.substr(0, cut);
  nlohmann::json event = {
      {"apiVersion", "events.k8s.io/v1"},
      {"kind", "Event"},
      {"metadata", {{"name", event_name}, {"namespace", ns}}},
      {"eventTime", FormatMicroTime(now)},
      {"reportingController", options_.reporting_controller},
      {"reportingInstance", options_.reporting_instance.substr(0, 128)},
      {"action", action},
      {"reason", reason},
      {"regarding", ref},
      {"note", text},
      {"type", type == EventType::kWarning ? "Warning" : "Normal"},
  };
  return client_.Create(Events(), ns, event);
}

}  // namespace pulse::kube
