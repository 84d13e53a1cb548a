// prometheus-cpp metrics of the Kubernetes client: requests by verb and code, latency by verb,
// errors by typed reason, retries by verb, time spent waiting for the client-side rate limit,
// and watch events by type. Thread-safe. Every series a
// caller can hit often is created once and cached (prometheus-cpp's Family::Add allocates).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "pulse/kube/api_error.h"

namespace prometheus {
class Registry;
class Counter;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace pulse::kube {

class ClientMetrics {
 public:
  // Registers the families in `registry` (which must outlive this object).
  explicit ClientMetrics(prometheus::Registry& registry);

  // verb: get list watch create update patch apply delete; code: HTTP status or 0 (transport).
  void ObserveRequest(std::string_view verb, int code, std::chrono::nanoseconds latency);
  void CountError(Reason reason);
  void CountRetry(std::string_view verb);
  // How long one request waited for a token of the client-side rate limit (zero included).
  void ObserveRateLimitWait(std::chrono::nanoseconds wait);
  void CountWatchEvent(std::string_view resource, std::string_view type);

 private:
  prometheus::Counter& Counter(prometheus::Family<prometheus::Counter>& family,
                               std::map<std::string, prometheus::Counter*>& cache,
                               const std::map<std::string, std::string>& labels,
                               const std::string& key);

  std::mutex mu_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& watch_events_;
  prometheus::Histogram& rate_limit_wait_;
  std::map<std::string, prometheus::Counter*> request_cache_;
  std::map<std::string, prometheus::Histogram*> latency_cache_;
  std::map<std::string, prometheus::Counter*> error_cache_;
  std::map<std::string, prometheus::Counter*> retry_cache_;
  std::map<std::string, prometheus::Counter*> watch_cache_;
};

}  // namespace pulse::kube
