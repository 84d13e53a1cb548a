// Records Kubernetes Events (events.k8s.io/v1) about an object, e.g. "InvalidSpec" on an
// ApiMonitor, so `kubectl describe` and `kubectl events` show what the operator decided.
//
// Aggregated as events.k8s.io/v1 means it: the recorder remembers the Event it created per
// (object uid, type, reason, note), and a repeat within `aggregation_window` of the previous
// occurrence is not a new Event but a higher `series.count` (with `series.lastObservedTime`) on
// that one, merge-PATCHed at most once per `series_update_interval`; repeats in between are
// counted and go out with the next write (a final flush at shutdown is not attempted: the count
// is a hint, not a ledger). A PATCH that meets a 404 (the API server expired the Event, by
// default after an hour) creates a new Event. The memory is an LRU of `max_cached_events`.
//
// Thread-safe. API calls are made outside the recorder's lock, so a slow API server holds up only
// the callers that are writing.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "pulse/base/clock.h"

namespace pulse::kube {

class Client;

enum class EventType { kNormal, kWarning };

struct EventRecorderOptions {
  std::string reporting_controller = "pulse.dev/pulse-operator";
  std::string reporting_instance;  // e.g. the pod name; default: the host name
  std::chrono::seconds aggregation_window{600};
  std::chrono::seconds series_update_interval{30};
  std::size_t max_cached_events = 4096;
  // Times the window and the interval, and stamps eventTime/lastObservedTime; null = the real
  // clock. Must outlive the recorder.
  base::Clock* clock = nullptr;
};

class EventRecorder {
 public:
  explicit EventRecorder(const Client& client, EventRecorderOptions options = {});
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Records one occurrence about `regarding` (a full object: apiVersion, kind, metadata name/
  // namespace/uid/resourceVersion). `reason` is CamelCase (e.g. "InvalidSpec"), `action` what
  // was done (e.g. "Validate"), `note` is human text (truncated to the API's 1 KiB). Returns the
  // Event as this call wrote it (created, or its series patched), or null when the occurrence
  // was only counted. Throws ApiError (a failed create is forgotten, so the next call retries).
  nlohmann::json Record(const nlohmann::json& regarding, EventType type, const std::string& reason,
                        const std::string& action, const std::string& note) const;

 private:
  struct Cache;
  nlohmann::json Create(const nlohmann::json& regarding, const std::string& ns, EventType type,
                        const std::string& reason, const std::string& action,
                        const std::string& note) const;

  const Client& client_;
  EventRecorderOptions options_;
  base::Clock& clock_;
  const std::unique_ptr<Cache> cache_;
};

}  // namespace pulse::kube
