#include "pulse/kube/api_error.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace pulse::kube {
namespace {

Reason FromCode(int code) {
  switch (code) {
    case 400:
      return Reason::kBadRequest;
    case 401:
      return Reason::kUnauthorized;
    case 403:
      return Reason::kForbidden;
    case 404:
      return Reason::kNotFound;
    case 405:
      return Reason::kMethodNotAllowed;
    case 409:
      return Reason::kConflict;
    case 410:
      return Reason::kGone;
    case 413:
      return Reason::kRequestTooLarge;
    case 415:
      return Reason::kUnsupportedMediaType;
    case 422:
      return Reason::kInvalid;
    case 429:
      return Reason::kTooManyRequests;
    case 500:
      return Reason::kServerError;
    case 503:
      return Reason::kServiceUnavailable;
    case 504:
      return Reason::kTimeout;
    default:
      return code >= 500 ? Reason::kServerError : Reason::kUnknown;
  }
}

// Status.reason strings (metav1.StatusReason) that refine the HTTP code.
std::optional<Reason> FromStatusReason(std::string_view r) {
  if (r == "NotFound") return Reason::kNotFound;
  if (r == "AlreadyExists") return Reason::kAlreadyExists;
  if (r == "Conflict") return Reason::kConflict;
  if (r == "Forbidden") return Reason::kForbidden;
  if (r == "Unauthorized") return Reason::kUnauthorized;
  if (r == "Invalid") return Reason::kInvalid;
  if (r == "Gone" || r == "Expired") return Reason::kGone;
  if (r == "TooManyRequests") return Reason::kTooManyRequests;
  if (r == "InternalError") return Reason::kServerError;
  if (r == "ServiceUnavailable") return Reason::kServiceUnavailable;
  if (r == "Timeout" || r == "ServerTimeout") return Reason::kTimeout;
  if (r == "BadRequest") return Reason::kBadRequest;
  if (r == "MethodNotAllowed") return Reason::kMethodNotAllowed;
  if (r == "RequestEntityTooLarge") return Reason::kRequestTooLarge;
  if (r == "UnsupportedMediaType") return Reason::kUnsupportedMediaType;
  return std::nullopt;
}

std::optional<std::chrono::seconds> ParseSeconds(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  long long v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  // An absurd value from a hostile server must not park us for days.
  return std::chrono::seconds(std::min<long long>(v, 3600));
}

std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

ApiError FromStatusJson(int http_status, const nlohmann::json& status,
                        std::optional<std::chrono::seconds> retry_after, std::string_view context) {
  int code = http_status;
  if (auto it = status.find("code"); it != status.end() && it->is_number_integer()) {
    // Inside a watch stream (http_status 0) the Status' own code is all we have.
    const auto c = it->get<long long>();
    if (c >= 100 && c <= 599 && code == 0) code = static_cast<int>(c);
  }
  const std::string status_reason = Str(status, "reason");
  Reason reason = FromStatusReason(status_reason).value_or(FromCode(code));
  std::vector<StatusCause> causes;
  if (auto d = status.find("details"); d != status.end() && d->is_object()) {
    if (auto c = d->find("causes"); c != d->end() && c->is_array()) {
      for (const auto& cause : *c) {
        causes.push_back({Str(cause, "reason"), Str(cause, "message"), Str(cause, "field")});
      }
    }
    if (auto r = d->find("retryAfterSeconds");
        r != d->end() && r->is_number_integer() && !retry_after) {
      retry_after = std::chrono::seconds(std::clamp<long long>(r->get<long long>(), 0, 3600));
    }
  }
  std::string message = Str(status, "message");
  if (message.empty()) message = "HTTP " + std::to_string(code);
  std::string full = std::string(context) + ": " + std::string(ReasonName(reason)) + ": " + message;
  for (const auto& c : causes) full += "; " + c.field + ": " + c.message;
  return ApiError(reason, code, full, status_reason, std::move(causes), retry_after);
}

}  // namespace

std::string_view ReasonName(Reason r) {
  switch (r) {
    case Reason::kUnknown:
      return "Unknown";
    case Reason::kBadRequest:
      return "BadRequest";
    case Reason::kUnauthorized:
      return "Unauthorized";
    case Reason::kForbidden:
      return "Forbidden";
    case Reason::kNotFound:
      return "NotFound";
    case Reason::kMethodNotAllowed:
      return "MethodNotAllowed";
    case Reason::kAlreadyExists:
      return "AlreadyExists";
    case Reason::kConflict:
      return "Conflict";
    case Reason::kGone:
      return "Gone";
    case Reason::kRequestTooLarge:
      return "RequestEntityTooLarge";
    case Reason::kUnsupportedMediaType:
      return "UnsupportedMediaType";
    case Reason::kInvalid:
      return "Invalid";
    case Reason::kTooManyRequests:
      return "TooManyRequests";
    case Reason::kServerError:
      return "ServerError";
    case Reason::kServiceUnavailable:
      return "ServiceUnavailable";
    case Reason::kTimeout:
      return "Timeout";
    case Reason::kTransport:
      return "Transport";
    case Reason::kBadResponse:
      return "BadResponse";
    case Reason::kCancelled:
      return "Cancelled";
  }
  return "Unknown";
}

ApiError::ApiError(Reason reason, int code, const std::string& message, std::string status_reason,
                   std::vector<StatusCause> causes, std::optional<std::chrono::seconds> retry_after)
    : std::runtime_error(message),
      reason_(reason),
      code_(code),
      status_reason_(std::move(status_reason)),
      causes_(std::move(causes)),
      retry_after_(retry_after) {}

bool ApiError::Retriable() const {
  switch (reason_) {
    case Reason::kTooManyRequests:
    case Reason::kServerError:
    case Reason::kServiceUnavailable:
    case Reason::kTimeout:
    case Reason::kTransport:
      return true;
    default:
      return false;
  }
}

ApiError ErrorFromResponse(int http_status, std::string_view body,
                           std::string_view retry_after_header, std::string_view context) {
  const auto retry_after = ParseSeconds(retry_after_header);
  nlohmann::json status = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (status.is_object() && Str(status, "kind") == "Status") {
    return FromStatusJson(http_status, status, retry_after, context);
  }
  // Not a Status (a proxy's HTML page, truncated JSON): keep a bounded excerpt for the message.
  std::string excerpt(body.substr(0, 200));
  for (char& c : excerpt) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  const Reason reason = FromCode(http_status);
  return ApiError(reason, http_status,
                  std::string(context) + ": " + std::string(ReasonName(reason)) + ": HTTP " +
                      std::to_string(http_status) + (excerpt.empty() ? "" : ": " + excerpt),
                  "", {}, retry_after);
}

ApiError ErrorFromStatus(const nlohmann::json& status, std::string_view context) {
  if (!status.is_object()) {
    return ApiError(Reason::kBadResponse, 0, std::string(context) + ": ERROR event without Status");
  }
  return FromStatusJson(0, status, std::nullopt, context);
}

}  // namespace pulse::kube
