// The exporter's own small HTTP client interface, so nothing but http_client_cpprest.cc depends
// on cpprestsdk types. Implementations are thread-safe (one instance may serve several targets).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pulse::exporter {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute, already percent-encoded: scheme://host[:port]/path?query
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given (incl. Host)
  std::string body;
  std::chrono::milliseconds timeout{10000};  // whole exchange, including reading the body
};

struct HttpResponse {
  enum class Error { kNone, kConnect, kTimeout, kTooLarge, kOther };
  Error error = Error::kNone;
  std::string error_message;  // set when error != kNone
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual HttpResponse Send(const HttpRequest& request) = 0;
};

// Bodies larger than this are refused (kTooLarge) instead of filling memory.
inline constexpr std::size_t kMaxHttpBodyBytes = 64u << 20;

// The production client (cpprestsdk).
std::unique_ptr<HttpClient> MakeCppRestHttpClient();

// "Basic <base64(user:password)>".
std::string BasicAuthorization(const std::string& user, const std::string& password);

// RFC 3986 percent-encoding of everything except unreserved characters (A-Z a-z 0-9 - . _ ~);
// with keep_slash, '/' is kept too (S3 object keys in paths).
std::string PercentEncode(std::string_view text, bool keep_slash = false);

}  // namespace pulse::exporter
