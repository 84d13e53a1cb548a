// Serves GET /metrics (MetricsPage) and GET /healthz with prometheus-cpp's Exposer (civetweb).
// /metrics is answered from civetweb's begin_request hook with the page's text, so the cached
// target samples are written out as rendered at refresh time, never re-serialized per scrape.
// One instance per process (civetweb's hook has no user pointer). Thread-safe after construction.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace prometheus {
class Exposer;
}

namespace pulse::exporter {

class MetricsPage;

class MetricsServer {
 public:
  // Throws std::runtime_error when `listen` cannot be bound. `page` must outlive the server.
  MetricsServer(const std::string& listen, const MetricsPage& page);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  std::vector<int> ports() const;

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace pulse::exporter
