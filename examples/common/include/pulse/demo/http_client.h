// A small blocking HTTP/1.1 client over one keep-alive TCP connection (loopback demo traffic:
// the load generator, the tests, the RabbitMQ management API). No TLS.
//
// Not thread-safe: one HttpClient per thread.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace pulse::demo {

struct HttpResult {
  int status = 0;  // 0 when the request failed without a response (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string error;
  bool ok() const noexcept { return status >= 200 && status < 300; }
};

class HttpClient {
 public:
  HttpClient(std::string host, int port,
             std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request; reconnects once if a kept-alive connection turned out to be closed.
  // `headers` are extra header lines without CRLF ("X-User-Id: alice").
  HttpResult Request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});

 private:
  bool Connect(std::string* error);
  void Close();
  HttpResult RoundTrip(const std::string& request, bool head);

  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::string buffer_;  // bytes read past the previous response
};

// Base64 of `in` (for HTTP Basic authentication).
std::string Base64(const std::string& in);

}  // namespace pulse::demo
