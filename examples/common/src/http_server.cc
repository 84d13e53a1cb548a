#include "pulse/demo/http_server.h"

#include <civetweb.h>
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "pulse/demo/route_matcher.h"
#include "pulse/red/http_red_recorder.h"
#include "pulse/red/process_collector.h"
#include "pulse/serve/metrics_server.h"

namespace pulse::demo {
namespace {

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Head and body in one write: two small writes would meet Nagle's algorithm and the client's
// delayed ACK (a 40 ms stall per keep-alive request).
// A HEAD response carries the headers of the GET response but no body (RFC 9110, 9.3.2).
void Send(mg_connection* conn, const HttpResponse& r, bool head) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + ReasonPhrase(r.status) +
                    "\r\nContent-Type: " + r.content_type +
                    "\r\nContent-Length: " + std::to_string(r.body.size()) +
                    "\r\nConnection: keep-alive\r\n\r\n";
  if (!head) out += r.body;
  mg_write(conn, out.data(), out.size());
}

}  // namespace

std::string HttpRequest::QueryParam(const std::string& name) const {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    const std::string_view pair(query.data() + pos, end - pos);
    const std::size_t eq = pair.find('=');
    if (UrlDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1));
    }
    pos = end + 1;
  }
  return "";
}

HttpResponse HttpResponse::Error(int status, const std::string& message) {
  return Json(status, nlohmann::json{{"error", message}}.dump());
}

struct HttpServer::Impl {
  ServerOptions options;
  std::vector<Route> routes;
  std::vector<std::string> templates;                 // distinct templates, matcher order
  std::vector<std::vector<std::size_t>> by_template;  // template → indices into routes
  std::unique_ptr<RouteMatcher> matcher;
  std::shared_ptr<red::HttpRedRecorder> recorder;
  std::vector<red::HttpRedRecorder::RouteId> route_ids;  // per template
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables;
  FaultInjector faults;
  mg_context* ctx = nullptr;
  std::unique_ptr<serve::MetricsServer> metrics_server;  // options.metrics_listen

  Impl(ServerOptions o, std::vector<Route> r,
       std::vector<std::shared_ptr<prometheus::Collectable>> c)
      : options(std::move(o)),
        routes(std::move(r)),
        collectables(std::move(c)),
        faults(options.faults) {}

  int Handle(mg_connection* conn);
  void ServeMetrics(mg_connection* conn);
};

void HttpServer::Impl::ServeMetrics(mg_connection* conn) {
  std::vector<prometheus::MetricFamily> families;
  for (const auto& c : collectables) {
    auto f = c->Collect();
    families.insert(families.end(), std::make_move_iterator(f.begin()),
                    std::make_move_iterator(f.end()));
  }
  Send(conn,
       HttpResponse{200, prometheus::TextSerializer().Serialize(families),
                    "text/plain; version=0.0.4; charset=utf-8"},
       false);
}

int HttpServer::Impl::Handle(mg_connection* conn) {
  const auto start = std::chrono::steady_clock::now();
  const mg_request_info* info = mg_get_request_info(conn);
  HttpRequest req;
  req.method = info->request_method ? info->request_method : "";
  req.path = info->local_uri ? info->local_uri : "";
  req.query = info->query_string ? info->query_string : "";
  if (req.path == "/metrics" && req.method == "GET") {
    ServeMetrics(conn);
    return 200;
  }
  if (const char* u = mg_get_header(conn, "X-User-Id")) {
    req.user = u;
  } else {
    req.user = req.QueryParam("user");
  }

  HttpResponse resp;
  red::HttpRedRecorder::RouteId route_id = red::HttpRedRecorder::kUnmatched;
  const std::optional<RouteMatch> match = matcher->Match(req.path);
  const Route* route = nullptr;
  if (match) {
    route_id = route_ids[match->route];
    for (std::size_t i : by_template[match->route]) {
      if (routes[i].method == req.method) route = &routes[i];
    }
  }
  if (!match) {
    resp = HttpResponse::Error(404, "no route for " + req.path);
  } else if (route == nullptr) {
    resp = HttpResponse::Error(
        405, "method " + req.method + " not allowed on " + templates[match->route]);
  } else if (info->content_length > static_cast<long long>(options.max_body_bytes)) {
    resp = HttpResponse::Error(
        413, "request body larger than " + std::to_string(options.max_body_bytes) + " bytes");
  } else {
    req.params = match->params;
    char buf[8192];
    int n;
    while ((n = mg_read(conn, buf, sizeof buf)) > 0) {
      req.body.append(buf, static_cast<std::size_t>(n));
      if (req.body.size() > options.max_body_bytes) break;
    }
    const FaultDecision fault = faults.Decide();
    if (fault.delay.count() > 0) std::this_thread::sleep_for(fault.delay);
    if (req.body.size() > options.max_body_bytes) {
      resp = HttpResponse::Error(
          413, "request body larger than " + std::to_string(options.max_body_bytes) + " bytes");
    } else if (fault.fail) {
      resp = HttpResponse::Error(500, "injected failure");
    } else {
      try {
        resp = route->handler(req);
      } catch (const std::exception& e) {
        resp = HttpResponse::Error(500, e.what());
      }
    }
  }
  // Recorded before the response is written, so a client that has its response can already see
  // the request in /metrics (the write itself is not part of the duration).
  if (recorder) {
    recorder->Record(red::ParseHttpMethod(req.method), route_id, resp.status,
                     std::chrono::steady_clock::now() - start, req.user);
  }
  Send(conn, resp, req.method == "HEAD");
  return resp.status;
}

HttpServer::HttpServer(ServerOptions options, std::vector<Route> routes,
                       std::vector<std::shared_ptr<prometheus::Collectable>> collectables)
    : impl_(
          std::make_unique<Impl>(std::move(options), std::move(routes), std::move(collectables))) {
  for (std::size_t i = 0; i < impl_->routes.size(); ++i) {
    const std::string& t = impl_->routes[i].path;
    auto it = std::find(impl_->templates.begin(), impl_->templates.end(), t);
    if (it == impl_->templates.end()) {
      impl_->templates.push_back(t);
      impl_->by_template.emplace_back();
      it = impl_->templates.end() - 1;
    }
    impl_->by_template[static_cast<std::size_t>(it - impl_->templates.begin())].push_back(i);
  }
  impl_->matcher = std::make_unique<RouteMatcher>(impl_->templates);
  if (impl_->options.instrument) {
    red::HttpRedOptions ro;
    ro.routes = impl_->templates;
    ro.top_k = impl_->options.top_k;
    impl_->recorder = std::make_shared<red::HttpRedRecorder>(ro);
    for (const auto& t : impl_->templates) impl_->route_ids.push_back(impl_->recorder->Route(t));
    impl_->collectables.insert(impl_->collectables.begin(), impl_->recorder);
  } else {
    impl_->route_ids.assign(impl_->templates.size(), red::HttpRedRecorder::kUnmatched);
  }
  impl_->collectables.push_back(std::make_shared<red::ProcessCollector>());
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
  static const unsigned kInit = mg_init_library(0);
  (void)kInit;
  const std::string threads = std::to_string(impl_->options.threads);
  const char* opts[] = {"listening_ports", impl_->options.listen.c_str(), "num_threads",
                        threads.c_str(), "enable_keep_alive", "yes", "keep_alive_timeout_ms",
                        "5000",
                        // Per read, not per request: bounds a silent client, not a trickling one
                        // (the metrics_listen port has a real head deadline).
                        "request_timeout_ms", "5000",
                        // Bounds the wait for the client's FIN when closing a connection.
                        "linger_timeout_ms", "500", nullptr};
  mg_callbacks callbacks{};
  impl_->ctx = mg_start(&callbacks, impl_.get(), opts);
  if (impl_->ctx == nullptr) {
    throw std::runtime_error("http server: cannot listen on " + impl_->options.listen);
  }
  mg_set_request_handler(
      impl_->ctx, "/",
      [](mg_connection* conn, void* self) { return static_cast<Impl*>(self)->Handle(conn); },
      impl_.get());
  mg_server_port ports[4]{};
  const int n = mg_get_server_ports(impl_->ctx, 4, ports);
  port_ = n > 0 ? ports[0].port : 0;
  if (!impl_->options.metrics_listen.empty()) {
    serve::MetricsServerOptions mo;
    mo.listen = impl_->options.metrics_listen;
    mo.process_metrics = false;  // collectables already hold a ProcessCollector
    impl_->metrics_server = std::make_unique<serve::MetricsServer>(mo);
    for (const auto& c : impl_->collectables) impl_->metrics_server->Register(c);
    impl_->metrics_server->SetReady(true);
    metrics_port_ = impl_->metrics_server->ports().at(0);
  }
}

void HttpServer::Stop() {
  if (impl_) impl_->metrics_server.reset();
  if (impl_ && impl_->ctx) {
    mg_stop(impl_->ctx);
    impl_->ctx = nullptr;
  }
}

}  // namespace pulse::demo
