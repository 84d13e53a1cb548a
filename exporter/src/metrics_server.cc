#include "pulse/exporter/metrics_server.h"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/exposer.h>

#include <atomic>
#include <cstring>
#include <stdexcept>

#include "pulse/exporter/metrics_page.h"

namespace pulse::exporter {
namespace {

std::atomic<const MetricsPage*> g_page{nullptr};

void Reply(mg_connection* conn, int status, const char* reason, const char* content_type,
           const std::string& body) {
  const std::string head =
      "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  mg_write(conn, head.data(), head.size());
  const mg_request_info* info = mg_get_request_info(conn);
  if (info != nullptr && info->request_method != nullptr &&
      std::strcmp(info->request_method, "HEAD") == 0) {
    return;
  }
  mg_write(conn, body.data(), body.size());
}

int BeginRequest(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr || info->local_uri == nullptr) return 0;
  const std::string uri = info->local_uri;
  const bool get =
      info->request_method != nullptr && (std::strcmp(info->request_method, "GET") == 0 ||
                                          std::strcmp(info->request_method, "HEAD") == 0);
  if (uri == "/metrics") {
    const MetricsPage* page = g_page.load();
    if (!get || page == nullptr) {
      Reply(conn, 405, "Method Not Allowed", "text/plain", "use GET\n");
      return 405;
    }
    Reply(conn, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", page->Render());
    return 200;
  }
  if (uri == "/healthz") {
    Reply(conn, 200, "OK", "text/plain", "ok\n");
    return 200;
  }
  return 0;  // civetweb answers anything else (404)
}

}  // namespace

MetricsServer::MetricsServer(const std::string& listen, const MetricsPage& page) {
  g_page = &page;
  CivetCallbacks callbacks;
  callbacks.begin_request = &BeginRequest;
  exposer_ = std::make_unique<prometheus::Exposer>(listen, 2, &callbacks);
}

MetricsServer::~MetricsServer() {
  exposer_.reset();
  g_page = nullptr;
}

std::vector<int> MetricsServer::ports() const { return exposer_->GetListeningPorts(); }

}  // namespace pulse::exporter
