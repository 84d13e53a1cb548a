// The status the operator writes on its custom resources, as pure functions, plus the pieces
// both per-object reconcilers share: which Secrets an object references, how validation errors
// read in a condition message, and a record that keeps rejection Events from repeating.
//
//   status:
//     observedGeneration: N
//     conditions:        # a map keyed by type
//     - {type: Accepted, status: "True"|"False", reason: Valid|InvalidSpec, message, ...}
//     - {type: Ready,    status: ..., reason, message, lastTransitionTime, observedGeneration}
//     generated: {...}   # what was produced (kind-specific, see crds/*.yaml)
// lastTransitionTime changes only when a condition's status flips, as the Kubernetes API
// conventions ask, so reconciling an unchanged object yields an identical status (and no write).
//
// Thread-safety: the functions are pure; RejectionEvents is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pulse/model/api_monitor.h"
#include "pulse/model/error.h"
#include "pulse/model/exporter.h"

namespace pulse::controller {

using Json = nlohmann::json;

inline constexpr const char* kConditionAccepted = "Accepted";
inline constexpr const char* kConditionReady = "Ready";
inline constexpr const char* kReasonValid = "Valid";
inline constexpr const char* kReasonInvalidSpec = "InvalidSpec";

struct Condition {
  std::string type;
  bool status = false;
  std::string reason;
  std::string message;
};

// The next .status from the live one (may be null): conditions keep their lastTransitionTime
// when their status is unchanged, else get `now`.
Json BuildStatus(const Json& live_status, std::int64_t generation,
                 const std::vector<Condition>& conditions, const Json& generated,
                 std::chrono::system_clock::time_point now);

// RFC 3339 in UTC with second precision ("2026-01-01T00:00:00Z"), as metav1.Time.
std::string FormatTime(std::chrono::system_clock::time_point t);

// "spec.endpoints[0].port: detail (value "x")" lines joined with "; ", at most ~4 KiB (the
// CRD allows 32 KiB, but a condition is for humans).
std::string ErrorsMessage(const std::vector<model::Error>& errors);

// Names of the Secrets (in the object's namespace) the object references, sorted, unique.
std::vector<std::string> ReferencedSecrets(const model::ApiMonitor& monitor);
std::vector<std::string> ReferencedSecrets(const model::Exporter& exporter);

// Aggregates rejection Events: one Event per object, generation and message; a reconcile of
// the same rejected generation does not post again (kubectl describe shows one line, not one
// per resync). Forget when the object is accepted or deleted.
class RejectionEvents {
 public:
  // True when an Event should be posted now (and records it as posted).
  bool ShouldPost(const std::string& key, const std::string& uid, std::int64_t generation,
                  const std::string& message);
  void Forget(const std::string& key);

 private:
  std::mutex mu_;
  std::map<std::string, std::string> posted_;  // key -> uid/generation/message
};

}  // namespace pulse::controller
