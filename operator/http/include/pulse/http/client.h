// pulse's one HTTP client interface. Every part of pulse that speaks HTTP (the Kubernetes
// client, the exporter's RabbitMQ and S3 targets, the demo's S3 invoices, the config sync)
// uses this header; exactly one source file of this library includes the C++ REST SDK, the
// user's choice of HTTP library, so nothing else depends on its types.
//
// Errors are pulse::base::Status codes with their documented retry meaning:
//   kInvalidArgument   malformed URL or request (not retriable)
//   kUnavailable       connection refused/reset, TLS handshake failed (retriable)
//   kDeadlineExceeded  no byte for longer than the timeout (retriable)
//   kResourceExhausted body or line larger than its limit (not retriable); the limit is
//                      enforced while reading, so a hostile server cannot fill memory
//   kCancelled         the CancelToken fired (shutdown)
// Any HTTP status, 4xx and 5xx included, is a successful exchange and returned as a Response.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pulse/base/status.h"

namespace pulse::http {

// How to trust the server and how to prove who we are. Data fields hold PEM text; file fields
// hold paths; when both are set, data wins. With no CA the system trust store is used.
struct TlsOptions {
  std::string ca_file;
  std::string ca_data;
  std::string client_cert_file;
  std::string client_cert_data;
  std::string client_key_file;
  std::string client_key_data;
  // The name the server certificate is verified against; "" = the URL's host. (SNI still
  // carries the URL's host: the HTTP library offers no hook to change it.)
  std::string server_name;
  bool insecure_skip_verify = false;
};

// Returns the bearer token to send with each request ("" = none). Called once per request, so
// an implementation may re-read a rotating token file. Must be thread-safe.
using TokenProvider = std::function<std::string()>;

struct ClientOptions {
  TlsOptions tls;
  TokenProvider token;  // adds "Authorization: Bearer ..." unless the request sets Authorization
  std::string user_agent = "pulse";
  // Inactivity timeout: the request fails when no byte arrives for this long.
  std::chrono::milliseconds timeout{30000};
  // Largest body Send() reads; larger bodies fail with kResourceExhausted.
  std::size_t max_body_bytes = std::size_t{64} << 20;
};

struct Request {
  std::string method = "GET";
  std::string url;  // absolute and already percent-encoded: scheme://host[:port]/path?query
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given
  std::string body;
  std::chrono::milliseconds timeout{0};  // 0 = ClientOptions::timeout
  std::size_t max_body_bytes = 0;        // 0 = ClientOptions::max_body_bytes
};

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
  // The header's value, or "" (name in lower case).
  std::string Header(const std::string& lower_name) const;
};

// Lets one thread abort another thread's request (an informer shutting down while its watch
// waits for the next event). Thread-safe. A cancelled token stays cancelled.
class CancelToken {
 public:
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }
  // Runs `fn` on Cancel() (or at once if already cancelled). Returns an id for Unregister.
  int Register(std::function<void()> fn);
  void Unregister(int id);

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  int next_id_ = 0;
  std::map<int, std::function<void()>> callbacks_;
};

// One complete line of a streamed body without its '\n'. Return false to stop reading.
using LineHandler = std::function<bool(std::string_view line)>;

// Thread-safe: one client may serve many threads and many hosts at once.
class Client {
 public:
  virtual ~Client() = default;
  // Sends the request and reads the whole body (up to the body limit).
  virtual base::StatusOr<Response> Send(const Request& request, CancelToken* cancel = nullptr) = 0;
  // Sends the request; on a 2xx answer calls `on_line` for each line of the body as it arrives
  // and returns when the body ends, `on_line` returns false, or `cancel` fires (the response
  // then has status and headers, body empty). A non-2xx answer is returned with its whole body
  // and `on_line` is never called. A line longer than `max_line_bytes` fails the stream with
  // kResourceExhausted.
  virtual base::StatusOr<Response> Stream(const Request& request, const LineHandler& on_line,
                                          CancelToken* cancel, std::size_t max_line_bytes) = 0;
};

// The client over the C++ REST SDK. Fails with kInvalidArgument when TLS material cannot be read
// or is not PEM, naming the file or field.
base::StatusOr<std::unique_ptr<Client>> MakeClient(ClientOptions options);

}  // namespace pulse::http
