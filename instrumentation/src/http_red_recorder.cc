#include "pulse/red/http_red_recorder.h"

#include <prometheus/metric_family.h>

#include <algorithm>
#include <stdexcept>

#include "family_builder.h"

namespace pulse::red {

HttpRedRecorder::HttpRedRecorder(HttpRedOptions options)
    : buckets_(options.buckets.empty() ? HistogramBuckets::Http()
                                       : HistogramBuckets(std::move(options.buckets))),
      shards_(options.shards != 0 ? options.shards
              : options.top_k > 0 ? UserTopK::DefaultShards()
                                  : DefaultShardCount()) {
  // Validate the shard count once, here, rather than on first use in a request.
  ShardedHistogram probe(buckets_, shards_);
  routes_.emplace_back(kUnmatchedRoute);
  for (std::string& r : options.routes) {
    if (r.empty() || r.front() != '/') {
      throw std::invalid_argument("http red recorder: route template \"" + r +
                                  "\" must start with '/'");
    }
    if (std::find(routes_.begin(), routes_.end(), r) == routes_.end()) {
      routes_.push_back(std::move(r));
    }
  }
  const std::size_t n = routes_.size() * kHttpMethodCount;
  tables_ = std::make_unique<std::atomic<StatusTable*>[]>(n);
  // Same shard count and thread→shard map as the histograms: Record updates a histogram shard
  // under the top-K's lock of the same index (see Record).
  if (options.top_k > 0) users_ = std::make_unique<UserTopK>(options.top_k, shards_);
}

HttpRedRecorder::~HttpRedRecorder() {
  const std::size_t n = routes_.size() * kHttpMethodCount;
  for (std::size_t i = 0; i < n; ++i) {
    StatusTable* t = tables_[i].load(std::memory_order_acquire);
    if (t == nullptr) continue;
    for (auto& c : t->cells) delete c.load(std::memory_order_acquire);
    delete t;
  }
}

HttpRedRecorder::RouteId HttpRedRecorder::Route(std::string_view route_template) const noexcept {
  for (std::size_t i = 1; i < routes_.size(); ++i) {
    if (routes_[i] == route_template) return static_cast<RouteId>(i);
  }
  return kUnmatched;
}

// Cells are created on first use with a compare-and-swap, so the label space is allocated only
// for the (route, method, status) combinations that occur, and never locked.
ShardedHistogram& HttpRedRecorder::Cell(HttpMethod method, RouteId route, int status) {
  if (route >= routes_.size()) route = kUnmatched;
  std::atomic<StatusTable*>& table_slot =
      tables_[route * kHttpMethodCount + static_cast<std::size_t>(method)];
  StatusTable* table = table_slot.load(std::memory_order_acquire);
  if (table == nullptr) {
    auto fresh = std::make_unique<StatusTable>();
    if (table_slot.compare_exchange_strong(table, fresh.get(), std::memory_order_acq_rel)) {
      table = fresh.release();
    }
  }
  const std::size_t s = (status >= kMinStatus && status <= kMaxStatus)
                            ? static_cast<std::size_t>(status - kMinStatus)
                            : kStatusSlots - 1;
  std::atomic<ShardedHistogram*>& cell_slot = table->cells[s];
  ShardedHistogram* cell = cell_slot.load(std::memory_order_acquire);
  if (cell == nullptr) {
    auto fresh = std::make_unique<ShardedHistogram>(buckets_, shards_);
    if (cell_slot.compare_exchange_strong(cell, fresh.get(), std::memory_order_acq_rel)) {
      cell = fresh.release();
    }
  }
  return *cell;
}

void HttpRedRecorder::Record(HttpMethod method, RouteId route, int status,
                             std::chrono::nanoseconds duration, std::string_view user) {
  ShardedHistogram& cell = Cell(method, route, status);
  if (!users_) {
    cell.Observe(duration.count());  // lock-free: two relaxed atomic adds
    return;
  }
  // With a top-K, the request takes its shard's (uncontended) top-K lock anyway; every thread
  // that writes histogram shard i holds top-K shard lock i (same count, same CurrentShard), so
  // the histogram is updated under it with plain stores — one locked instruction per request
  // instead of three.
  struct Observation {
    ShardedHistogram* cell;
    std::int64_t nanoseconds;
  } observation{&cell, duration.count()};
  users_->Record(
      user,
      [](void* context, unsigned shard) noexcept {
        const auto* o = static_cast<const Observation*>(context);
        o->cell->ObserveSerialised(o->nanoseconds, shard);
      },
      &observation);
}

void HttpRedRecorder::Record(std::string_view method, std::string_view route_template, int status,
                             std::chrono::nanoseconds duration, std::string_view user) {
  Record(ParseHttpMethod(method), Route(route_template), status, duration, user);
}

std::vector<prometheus::MetricFamily> HttpRedRecorder::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  prometheus::MetricFamily& hist = out.emplace_back(internal::Family(
      "http_request_duration_seconds",
      "Duration of finished HTTP requests by method, route template and status code.",
      prometheus::MetricType::Histogram));
  for (std::size_t r = 0; r < routes_.size(); ++r) {
    for (std::size_t m = 0; m < kHttpMethodCount; ++m) {
      const StatusTable* t = tables_[r * kHttpMethodCount + m].load(std::memory_order_acquire);
      if (t == nullptr) continue;
      for (std::size_t s = 0; s < kStatusSlots; ++s) {
        const ShardedHistogram* c = t->cells[s].load(std::memory_order_acquire);
        if (c == nullptr) continue;
        const std::string status =
            s == kStatusSlots - 1 ? "invalid" : std::to_string(kMinStatus + static_cast<int>(s));
        hist.metric.push_back(internal::HistogramMetric(
            c->Snapshot(), buckets_,
            {{"method", std::string(HttpMethodName(static_cast<HttpMethod>(m)))},
             {"route", routes_[r]},
             {"status", status}}));
      }
    }
  }
  if (users_) {
    UserTopK::Snapshot snap = users_->Take();
    prometheus::MetricFamily& by_user = out.emplace_back(internal::Family(
        "http_requests_by_user_total",
        "Requests per user for the top-K users tracked now (exact since the user was admitted); "
        "user=\"__other__\" counts every other request.",
        prometheus::MetricType::Counter));
    std::sort(snap.users.begin(), snap.users.end(),
              [](const auto& a, const auto& b) { return a.user < b.user; });
    for (const auto& u : snap.users) {
      by_user.metric.push_back(
          internal::CounterMetric(static_cast<double>(u.requests), {{"user", u.user}}));
    }
    by_user.metric.push_back(internal::CounterMetric(static_cast<double>(snap.other),
                                                     {{"user", std::string(kOtherUser)}}));
    out.push_back(internal::Family("http_requests_by_user_tracked",
                                   "Users tracked now by the per-user top-K (at most K).",
                                   prometheus::MetricType::Gauge));
    out.back().metric.push_back(internal::GaugeMetric(static_cast<double>(snap.users.size()), {}));
    out.push_back(
        internal::Family("http_requests_by_user_evictions_total",
                         "Times a user was replaced in the exported top-K by another (at scrapes).",
                         prometheus::MetricType::Counter));
    out.back().metric.push_back(internal::CounterMetric(static_cast<double>(snap.evictions), {}));
  }
  return out;
}

}  // namespace pulse::red
