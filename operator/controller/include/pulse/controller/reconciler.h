// The Reconciler (controller-runtime's noun): a level-based function from a key
// ("namespace/name", or a fixed key such as "config") to what the controller should do next.
// It reads the desired state itself (from an informer's store) and makes the world match;
// it never sees the event that caused the call, so any number of events for one key collapse
// into one call.
//
// Thread-safety: a Controller calls Reconcile from several workers at once, but never twice
// at the same time for the same key (the WorkQueue guarantees it). Implementations must be
// safe for concurrent calls on different keys.
#pragma once

#include <chrono>
#include <string>

namespace pulse::controller {

struct Result {
  enum class Kind {
    kDone,            // in sync; forget the key's backoff
    kRequeueAfter,    // in sync for now; look again after `after` (e.g. poll a dependency)
    kRetriableError,  // failed, may work later (API 5xx, conflict): requeue with backoff
    kTerminalError,   // failed, will not work until the input changes: log, count, drop
  };
  Kind kind = Kind::kDone;
  std::chrono::milliseconds after{0};
  std::string error;  // for the error kinds: what went wrong, for the log

  static Result Done() { return {}; }
  static Result RequeueAfter(std::chrono::milliseconds d) { return {Kind::kRequeueAfter, d, {}}; }
  static Result Retriable(std::string error) {
    return {Kind::kRetriableError, {}, std::move(error)};
  }
  static Result Terminal(std::string error) { return {Kind::kTerminalError, {}, std::move(error)}; }
};

// "done", "requeue_after", "retriable_error", "terminal_error": the `result` label value.
const char* ResultKindName(Result::Kind kind);

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  // Must not throw: an escaping exception is treated as a retriable error by the Controller,
  // but a reconciler knows better whether its failure is worth retrying.
  virtual Result Reconcile(const std::string& key) = 0;
};

}  // namespace pulse::controller
