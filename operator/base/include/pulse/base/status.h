// pulse's one error model for I/O: a Status is a code plus a message, and the code alone says
// whether trying the same operation again can help (Retriable). Validation of user input has
// its own richer error (pulse::model::Error, with file, object and field path); a Status is for
// what happens at run time: a connection refused, a body too large, a server that said no.
//
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pulse::base {

// Codes and their retry meaning. "Retriable" means the same request may succeed later without
// anything being changed (with backoff); the others need a change first (input, config, RBAC)
// or are final.
enum class StatusCode {
  kOk = 0,
  kCancelled,           // the caller gave up (shutdown). Not retried: the caller is going away.
  kInvalidArgument,     // malformed input (bad URL, bad config value). Not retriable.
  kNotFound,            // the thing asked for does not exist. Not retriable as is.
  kPermissionDenied,    // credentials rejected or missing rights. Not retriable until fixed.
  kFailedPrecondition,  // state says no (conflict, wrong version). Re-read, then retry.
  kResourceExhausted,   // a limit was hit: body too large, too many items. Not retriable.
  kUnavailable,         // connection refused/reset, 5xx, 429. Retriable with backoff.
  kDeadlineExceeded,    // timed out. Retriable with backoff.
  kDataLoss,            // the peer sent something we cannot parse. Retriable (may be transient).
  kInternal,            // a bug or an unexpected exception. Not retriable.
};

// Stable lower-case name ("unavailable"), used in logs and metric labels.
std::string_view StatusCodeName(StatusCode code);

// True for kUnavailable, kDeadlineExceeded and kDataLoss.
bool IsRetriable(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retriable() const { return IsRetriable(code_); }
  // "unavailable: connection refused (GET http://127.0.0.1:1/x)"; "ok" when ok.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status() : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace pulse::base
