// A small blocking HTTP/1.1 client over one keep-alive TCP connection, for loopback demo
// traffic: the load generator and the demo's tests, which need many cheap connections with
// exact control of what goes on the wire. No TLS, no redirects, no size limits: anything that
// talks to a real service (S3, RabbitMQ) uses pulse::http::Client instead.
//
// Not thread-safe: one LoopbackHttpClient per thread.
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

class LoopbackHttpClient {
 public:
  LoopbackHttpClient(std::string host, int port,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  ~LoopbackHttpClient();
  LoopbackHttpClient(const LoopbackHttpClient&) = delete;
  LoopbackHttpClient& operator=(const LoopbackHttpClient&) = delete;

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

}  // namespace pulse::demo
