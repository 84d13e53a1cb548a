// Records Kubernetes Events (events.k8s.io/v1) about an object, e.g. "InvalidSpec" on an
// ApiMonitor, so `kubectl describe` and `kubectl events` show what the operator decided.
// Thread-safe (the Client is).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pulse::kube {

class Client;

enum class EventType { kNormal, kWarning };

struct EventRecorderOptions {
  std::string reporting_controller = "pulse.dev/pulse-operator";
  std::string reporting_instance;  // e.g. the pod name; default: the host name
};

class EventRecorder {
 public:
  explicit EventRecorder(const Client& client, EventRecorderOptions options = {});
  // Creates an Event about `regarding` (a full object: apiVersion, kind, metadata name/
  // namespace/uid/resourceVersion). `reason` is CamelCase (e.g. "InvalidSpec"), `action` what
  // was done (e.g. "Validate"), `note` is human text (truncated to the API's 1 KiB). Returns the
  // created Event. Throws ApiError.
  nlohmann::json Record(const nlohmann::json& regarding, EventType type, const std::string& reason,
                        const std::string& action, const std::string& note) const;

 private:
  const Client& client_;
  EventRecorderOptions options_;
};

}  // namespace pulse::kube
