// pulse's own small HTTP interface for the Kubernetes client. Exactly one implementation
// (cpprest_http_client.cc) talks to cpprestsdk; nothing else includes its headers, so the rest
// of the client (and its tests) depend only on the plain structs below.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::kube {

// How to trust the server and how to prove who we are. Data fields hold PEM text; file fields
// hold paths. When both are set, data wins. With no CA at all the system trust store is used;
// `insecure_skip_verify` turns verification off and is only ever set from an explicit
// `insecure-skip-tls-verify: true` in a kubeconfig.
struct TlsOptions {
  std::string ca_file;
  std::string ca_data;
  std::string client_cert_file;
  std::string client_cert_data;
  std::string client_key_file;
  std::string client_key_data;
  bool insecure_skip_verify = false;
};

// Returns the bearer token to send with each request (empty = none). Called once per request,
// so an implementation may re-read a rotating token file. Must be thread-safe.
using TokenProvider = std::function<std::string()>;

struct HttpClientOptions {
  std::string base_url;  // scheme://host:port, e.g. https://127.0.0.1:6443
  TlsOptions tls;
  TokenProvider token;
  std::string user_agent = "pulse-operator";
  // Inactivity timeout for ordinary requests (no byte for this long -> the request fails).
  std::chrono::milliseconds request_timeout{30000};
};

struct HttpRequest {
  std::string method = "GET";
  std::string path;  // absolute path with query, e.g. /api/v1/namespaces/x/configmaps?limit=5
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // For Stream(): inactivity timeout of the whole stream (no byte for this long -> it fails).
  // Zero = HttpClientOptions::request_timeout.
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // keys lower-case
  std::string body;
  // Header value or "" (name in lower case).
  std::string Header(const std::string& lower_name) const;
};

// The connection failed, timed out, or the server sent something that is not HTTP. Retriable.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Lets one thread abort another thread's streaming request (an informer shutting down while its
// watch is waiting for the next event). Thread-safe. A cancelled token stays cancelled.
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

// Line callback for Stream(): one complete line without its '\n'. Return false to stop reading.
using LineHandler = std::function<bool(std::string_view line)>;

// Thread-safe: one client may serve many threads at once.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends the request and reads the whole body. Throws TransportError on network failure or
  // timeout; any HTTP status (including 4xx/5xx) is returned, not thrown.
  virtual HttpResponse Send(const HttpRequest& request) = 0;
  // Sends the request; on a 2xx answer calls `on_line` for each line of the body as it arrives
  // and returns when the server ends the body, `on_line` returns false, or `cancel` fires (the
  // returned response has the status and headers; body empty). A non-2xx answer is returned
  // with its whole body and `on_line` is never called. Lines longer than `max_line_bytes` fail
  // the stream with TransportError (memory stays bounded against a hostile server).
  virtual HttpResponse Stream(const HttpRequest& request, const LineHandler& on_line,
                              CancelToken* cancel, size_t max_line_bytes) = 0;
};

// The cpprestsdk-backed implementation. Throws std::invalid_argument for a bad base URL and
// std::runtime_error when certificate/key files cannot be read.
std::unique_ptr<HttpClient> MakeHttpClient(HttpClientOptions options);

}  // namespace pulse::kube
