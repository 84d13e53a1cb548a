// HTTP RED recording, independent of the web framework: one Record call per finished request.
//
// Produces http_request_duration_seconds{method,route,status} and, when top_k > 0,
// http_requests_by_user_total{user} (see docs/instrumentation.md for the exact semantics).
// Cardinality is bounded by construction: methods are a closed set, routes are the templates
// given at construction (plus "__unmatched__"), statuses are 100..599 (plus "invalid"), users
// are the top K (plus "__other__").
//
// Thread-safe: Record may be called concurrently from any number of threads, and Collect (called
// by prometheus-cpp's Exposer on a scrape) concurrently with them. With top_k = 0 Record is
// lock-free (relaxed atomic adds on the calling thread's histogram shard). With a top-K, Record
// takes one spin lock — the calling thread's shard of the top-K, which no other core takes in the
// common case — and updates both that top-K shard and the histogram shard of the same index
// under it.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pulse/red/http_method.h"
#include "pulse/red/sharded_histogram.h"
#include "pulse/red/user_top_k.h"

namespace pulse::red {

inline constexpr std::string_view kUnmatchedRoute = "__unmatched__";

struct HttpRedOptions {
  // Route templates the service serves, e.g. "/orders/{id}". Duplicates are ignored.
  std::vector<std::string> routes;
  // Users tracked for http_requests_by_user_total (K). 0 disables per-user counting.
  std::size_t top_k = 100;
  // Histogram bucket upper bounds in seconds; empty means HistogramBuckets::Http().
  std::vector<double> buckets;
  // Shards for the histogram counters and the per-user top-K (power of two, ≤ 16); 0 means
  // UserTopK::DefaultShards() when top_k > 0, else DefaultShardCount().
  unsigned shards = 0;
};

class HttpRedRecorder : public prometheus::Collectable {
 public:
  using RouteId = std::uint32_t;
  static constexpr RouteId kUnmatched = 0;

  // Throws std::invalid_argument for bad buckets/shards, an empty route template, or one that
  // does not start with '/' (a raw path is never a template, but a template is always a path).
  explicit HttpRedRecorder(HttpRedOptions options);
  ~HttpRedRecorder() override;
  HttpRedRecorder(const HttpRedRecorder&) = delete;
  HttpRedRecorder& operator=(const HttpRedRecorder&) = delete;

  // The id of a registered route template (kUnmatched if it was not registered). Resolve once at
  // setup and keep the id: Record with an id is the fast path.
  RouteId Route(std::string_view route_template) const noexcept;

  void Record(HttpMethod method, RouteId route, int status, std::chrono::nanoseconds duration,
              std::string_view user);
  // Convenience: parses the method and looks the route up (a few tens of ns slower).
  void Record(std::string_view method, std::string_view route_template, int status,
              std::chrono::nanoseconds duration, std::string_view user);

  std::vector<prometheus::MetricFamily> Collect() const override;

  const UserTopK* users() const noexcept { return users_.get(); }

 private:
  static constexpr int kMinStatus = 100;
  static constexpr int kMaxStatus = 599;
  static constexpr std::size_t kStatusSlots = kMaxStatus - kMinStatus + 2;  // + "invalid"
  struct StatusTable {
    std::atomic<ShardedHistogram*> cells[kStatusSlots] = {};
  };

  ShardedHistogram& Cell(HttpMethod method, RouteId route, int status);

  HistogramBuckets buckets_;
  unsigned shards_;
  std::vector<std::string> routes_;                      // index = RouteId; [0] = "__unmatched__"
  std::unique_ptr<std::atomic<StatusTable*>[]> tables_;  // [route * kHttpMethodCount + method]
  std::unique_ptr<UserTopK> users_;
};

}  // namespace pulse::red
