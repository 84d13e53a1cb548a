// Typed errors from the API server's Status objects (as apimachinery's errors.IsNotFound & co.)
// plus the failures that never reach a Status: the transport, a body we cannot parse, and a
// wait (retry or rate limit) that the client's shutdown cut short.
#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::kube {

// What went wrong, and (see Retriable) whether trying again can help.
enum class Reason {
  kUnknown,               // a status code we have no better name for
  kBadRequest,            // 400
  kUnauthorized,          // 401: credentials missing/expired
  kForbidden,             // 403: RBAC says no
  kNotFound,              // 404
  kMethodNotAllowed,      // 405
  kAlreadyExists,         // 409 reason AlreadyExists
  kConflict,              // 409: stale resourceVersion; re-read and retry
  kGone,                  // 410 Gone/Expired: resourceVersion too old; relist
  kRequestTooLarge,       // 413
  kUnsupportedMediaType,  // 415
  kInvalid,               // 422: validation failed; see causes
  kTooManyRequests,       // 429: throttled; see retry_after
  kServerError,           // 500
  kServiceUnavailable,    // 503
  kTimeout,               // 504 / reason Timeout
  kTransport,             // connection failed or timed out; no response
  kBadResponse,           // the server answered with a body we cannot use
  kCancelled,             // the client was shut down while the request waited (retry, rate limit)
};

std::string_view ReasonName(Reason r);

// One entry of Status.details.causes (field errors of an Invalid).
struct StatusCause {
  std::string type;  // e.g. FieldValueRequired
  std::string message;
  std::string field;  // e.g. spec.replicas
};

class ApiError : public std::runtime_error {
 public:
  ApiError(Reason reason, int code, const std::string& message, std::string status_reason = {},
           std::vector<StatusCause> causes = {},
           std::optional<std::chrono::seconds> retry_after = std::nullopt);

  Reason reason() const { return reason_; }
  int code() const { return code_; }  // HTTP status; 0 for kTransport
  const std::string& status_reason() const { return status_reason_; }  // Status.reason as sent
  const std::vector<StatusCause>& causes() const { return causes_; }
  // From the Retry-After header or Status.details.retryAfterSeconds.
  const std::optional<std::chrono::seconds>& retry_after() const { return retry_after_; }
  // True for throttling, server-side and transport failures; false for errors that the same
  // request will hit again (not found, forbidden, invalid, conflict needs a re-read first).
  bool Retriable() const;

 private:
  Reason reason_;
  int code_;
  std::string status_reason_;
  std::vector<StatusCause> causes_;
  std::optional<std::chrono::seconds> retry_after_;
};

inline bool IsNotFound(const ApiError& e) { return e.reason() == Reason::kNotFound; }
inline bool IsConflict(const ApiError& e) { return e.reason() == Reason::kConflict; }
inline bool IsAlreadyExists(const ApiError& e) { return e.reason() == Reason::kAlreadyExists; }
inline bool IsForbidden(const ApiError& e) { return e.reason() == Reason::kForbidden; }
inline bool IsGone(const ApiError& e) { return e.reason() == Reason::kGone; }
inline bool IsInvalid(const ApiError& e) { return e.reason() == Reason::kInvalid; }

// Builds the error for a non-2xx answer. Pure. `body` is usually a Status object but may be
// anything (HTML from a proxy, truncated JSON); `retry_after_header` is the raw header value;
// `context` (e.g. "GET /api/v1/...") prefixes the message.
ApiError ErrorFromResponse(int http_status, std::string_view body,
                           std::string_view retry_after_header, std::string_view context);

// Builds the error for a Status object that arrived inside a watch stream (type ERROR).
ApiError ErrorFromStatus(const nlohmann::json& status, std::string_view context);

}  // namespace pulse::kube
