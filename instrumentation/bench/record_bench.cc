// Cost of recording one finished request with pulse-red, side by side with prometheus-cpp's own
// Histogram::Observe. Run: build/instrumentation/pulse_red_bench (see docs/benchmarks.md).
// Each recording benchmark runs with 1, 2 and 4 threads recording into the same objects at once
// (a web server's thread pool), with real time, and reports items_per_second: the total
// throughput of all threads together, the number to compare across thread counts (Google
// Benchmark's per-iteration time is wall time divided by the iterations of all threads). On a
// machine shared with other sessions, autogroup scheduling gives this process the same CPU share
// whatever its thread count, which hides scaling: see docs/benchmarks.md (issue 14) for how the
// numbers there were taken.
#include <benchmark/benchmark.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "pulse/red/http_red_recorder.h"
#include "pulse/red/sharded_histogram.h"
#include "pulse/red/user_top_k.h"
#include "zipf.h"

namespace {

using pulse::red::HttpMethod;
using pulse::red::HttpRedOptions;
using pulse::red::HttpRedRecorder;

// 64 Ki user ids drawn from Zipf(s=1.0) over 100,000 users; each thread walks them from its own
// offset, so the top-K sees a realistic mix of repeat users and a long tail of evictions.
const std::vector<std::string>& Users() {
  static const std::vector<std::string> users = [] {
    pulse::red::testing::Zipf zipf(100000, 1.0);
    std::mt19937_64 rng(42);
    std::vector<std::string> out;
    out.reserve(1 << 16);
    for (int i = 0; i < (1 << 16); ++i) out.push_back("user-" + std::to_string(zipf(rng)));
    return out;
  }();
  return users;
}

const std::vector<std::int64_t>& Durations() {
  static const std::vector<std::int64_t> d = [] {
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> dist(std::log(0.02e9), 1.0);  // median 20 ms
    std::vector<std::int64_t> out(1 << 12);
    for (auto& x : out) x = static_cast<std::int64_t>(dist(rng));
    return out;
  }();
  return d;
}

HttpRedOptions ShopOptions(std::size_t top_k) {
  HttpRedOptions o;
  o.routes = {"/catalogue", "/cart/{id}", "/orders", "/orders/{id}"};
  o.top_k = top_k;
  return o;
}

HttpRedRecorder& Recorder(std::size_t top_k) {
  static HttpRedRecorder with_users(ShopOptions(100));
  static HttpRedRecorder without_users(ShopOptions(0));
  return top_k > 0 ? with_users : without_users;
}

void RecordLoop(benchmark::State& state, HttpRedRecorder& rec) {
  const auto& users = Users();
  const auto& durations = Durations();
  const HttpRedRecorder::RouteId route = rec.Route("/orders/{id}");
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    const int status = (i & 63) == 0 ? 500 : 200;
    rec.Record(HttpMethod::kGet, route, status,
               std::chrono::nanoseconds(durations[i & (durations.size() - 1)]),
               users[i & (users.size() - 1)]);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

// The whole per-request cost: histogram (method, route, status) + per-user top-K (K = 100).
void BM_PulseRed_Record(benchmark::State& state) { RecordLoop(state, Recorder(100)); }
BENCHMARK(BM_PulseRed_Record)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// Histogram only (top_k = 0), to separate the two parts.
void BM_PulseRed_RecordNoUsers(benchmark::State& state) { RecordLoop(state, Recorder(0)); }
BENCHMARK(BM_PulseRed_RecordNoUsers)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// Top-K alone.
void BM_PulseRed_UserTopK(benchmark::State& state) {
  static pulse::red::UserTopK top_k(100);
  const auto& users = Users();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919;
  for (auto _ : state) top_k.Record(users[i++ & (users.size() - 1)]);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PulseRed_UserTopK)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// prometheus-cpp 1.0.1: one cached Histogram reference (the cheapest correct use), Observe only.
void BM_PrometheusCpp_HistogramObserve(benchmark::State& state) {
  static auto registry = std::make_shared<prometheus::Registry>();
  static prometheus::Histogram& histogram =
      prometheus::BuildHistogram()
          .Name("http_request_duration_seconds")
          .Help("bench")
          .Register(*registry)
          .Add({{"method", "GET"}, {"route", "/orders/{id}"}, {"status", "200"}},
               prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                       0.25, 0.5, 1, 2.5, 5, 10});
  const auto& durations = Durations();
  std::size_t i = 0;
  for (auto _ : state) {
    histogram.Observe(static_cast<double>(durations[i++ & (durations.size() - 1)]) / 1e9);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrometheusCpp_HistogramObserve)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// What a scrape costs with a realistic label space (4 routes x 2 methods x 3 statuses + K users).
void BM_PulseRed_Collect(benchmark::State& state) {
  HttpRedRecorder rec(ShopOptions(100));
  const auto& users = Users();
  std::size_t i = 0;
  for (const char* route : {"/catalogue", "/cart/{id}", "/orders", "/orders/{id}"}) {
    for (HttpMethod m : {HttpMethod::kGet, HttpMethod::kPost}) {
      for (int status : {200, 404, 500}) {
        for (int n = 0; n < 100; ++n) {
          rec.Record(m, rec.Route(route), status, std::chrono::milliseconds(n), users[i++]);
        }
      }
    }
  }
  for (auto _ : state) benchmark::DoNotOptimize(rec.Collect());
}
BENCHMARK(BM_PulseRed_Collect);

}  // namespace
