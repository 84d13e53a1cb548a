#include "pulse/kube/client_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace pulse::kube {

ClientMetrics::ClientMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("pulse_kube_client_requests_total")
                    .Help("Kubernetes API requests by verb and HTTP status code (0 = no response)")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("pulse_kube_client_request_duration_seconds")
                   .Help("Kubernetes API request latency by verb (watches: until headers)")
                   .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("pulse_kube_client_errors_total")
                  .Help("Kubernetes API errors by typed reason")
                  .Register(registry)),
      retries_(prometheus::BuildCounter()
                   .Name("pulse_kube_client_retries_total")
                   .Help("Kubernetes API requests retried by verb (429, 5xx, transport errors)")
                   .Register(registry)),
      watch_events_(prometheus::BuildCounter()
                        .Name("pulse_kube_watch_events_total")
                        .Help("Watch events received by resource and type")
                        .Register(registry)),
      rate_limit_wait_(
          prometheus::BuildHistogram()
              .Name("pulse_kube_client_rate_limiter_wait_seconds")
              .Help("Time a Kubernetes API request waited for the client-side rate limit")
              .Register(registry)
              .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.025, 0.1, 0.25, 0.5,
                                                               1, 2.5, 5, 10, 30})) {
  // Every reason exists at zero from the start, so rate() and alerts work before the first error.
  for (int r = 0; r <= static_cast<int>(Reason::kCancelled); ++r) {
    const std::string name(ReasonName(static_cast<Reason>(r)));
    error_cache_[name] = &errors_.Add({{"reason", name}});
  }
  for (const char* verb :
       {"get", "list", "create", "update", "update_status", "apply", "patch", "delete"}) {
    retry_cache_[verb] = &retries_.Add({{"verb", verb}});
  }
}

prometheus::Counter& ClientMetrics::Counter(prometheus::Family<prometheus::Counter>& family,
                                            std::map<std::string, prometheus::Counter*>& cache,
                                            const std::map<std::string, std::string>& labels,
                                            const std::string& key) {
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  auto& c = family.Add(labels);
  cache.emplace(key, &c);
  return c;
}

void ClientMetrics::ObserveRequest(std::string_view verb, int code,
                                   std::chrono::nanoseconds latency) {
  const std::string v(verb);
  const std::string c = std::to_string(code);
  std::lock_guard<std::mutex> lock(mu_);
  Counter(requests_, request_cache_, {{"verb", v}, {"code", c}}, v + "/" + c).Increment();
  auto it = latency_cache_.find(v);
  if (it == latency_cache_.end()) {
    static const prometheus::Histogram::BucketBoundaries kBuckets{
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    it = latency_cache_.emplace(v, &latency_.Add({{"verb", v}}, kBuckets)).first;
  }
  it->second->Observe(std::chrono::duration<double>(latency).count());
}

void ClientMetrics::CountError(Reason reason) {
  std::lock_guard<std::mutex> lock(mu_);
  error_cache_.at(std::string(ReasonName(reason)))->Increment();
}

void ClientMetrics::CountRetry(std::string_view verb) {
  const std::string v(verb);
  std::lock_guard<std::mutex> lock(mu_);
  Counter(retries_, retry_cache_, {{"verb", v}}, v).Increment();
}

void ClientMetrics::ObserveRateLimitWait(std::chrono::nanoseconds wait) {
  // Histogram::Observe takes its own lock.
  rate_limit_wait_.Observe(std::chrono::duration<double>(wait).count());
}

void ClientMetrics::CountWatchEvent(std::string_view resource, std::string_view type) {
  const std::string r(resource);
  const std::string t(type);
  std::lock_guard<std::mutex> lock(mu_);
  Counter(watch_events_, watch_cache_, {{"resource", r}, {"type", t}}, r + "/" + t).Increment();
}

}  // namespace pulse::kube
