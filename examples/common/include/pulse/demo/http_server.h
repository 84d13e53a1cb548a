// The demo services' HTTP server: civetweb underneath, routes by template, the pulse-red
// middleware (one HttpRedRecorder::Record per finished request), fault injection, and /metrics.
//
// Thread-safe: handlers run concurrently on civetweb's worker threads and must be thread-safe
// themselves. Start/Stop are called from one owning thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pulse/demo/fault_injection.h"

namespace prometheus {
class Collectable;
}
namespace pulse::red {
class HttpRedRecorder;
}

namespace pulse::demo {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string query;  // raw query string, without '?'
  std::string body;
  std::string user;  // X-User-Id header, else the "user" query parameter, else empty
  std::map<std::string, std::string> params;  // from the route template
  // One query parameter, URL-decoded; empty when absent.
  std::string QueryParam(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  static HttpResponse Json(int status, std::string body) {
    return HttpResponse{status, std::move(body), "application/json"};
  }
  static HttpResponse Error(int status, const std::string& message);  // {"error": message}
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

struct Route {
  std::string method;  // "GET", "POST", ...
  std::string path;    // template, e.g. "/orders/{id}"
  Handler handler;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // civetweb listening_ports syntax; port 0 picks a free one
  int threads = 16;
  bool instrument = true;  // false: no RED recording (for the overhead benchmark)
  std::size_t top_k = 100;
  FaultSettings faults;
  std::size_t max_body_bytes = 1 << 20;
  // When set ("HOST:PORT", port 0 picks one), /metrics, /healthz and /readyz are also served
  // there by pulse::serve (an event loop with per-connection limits, gzip): a scraper still gets
  // through while slow or idle clients hold every civetweb worker of the API port.
  std::string metrics_listen;
};

class HttpServer {
 public:
  // Throws std::invalid_argument for malformed route templates or fault settings.
  HttpServer(ServerOptions options, std::vector<Route> routes,
             std::vector<std::shared_ptr<prometheus::Collectable>> collectables);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Throws std::runtime_error naming the address when it cannot listen.
  void Start();
  void Stop();
  int port() const noexcept { return port_; }
  // The metrics_listen port once started; 0 without one.
  int metrics_port() const noexcept { return metrics_port_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  int metrics_port_ = 0;
};

}  // namespace pulse::demo
