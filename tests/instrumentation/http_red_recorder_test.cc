#include "pulse/red/http_red_recorder.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "exposition.h"
#include "pulse/testenv/testenv.h"

namespace pulse::red {
namespace {

using std::chrono::milliseconds;
using testing::Expose;
using testing::Sample;

HttpRedOptions SmallOptions() {
  HttpRedOptions o;
  o.routes = {"/orders", "/orders/{id}"};
  o.top_k = 2;
  o.buckets = {0.01, 0.1};
  // One shard: records go to the shard of the CPU they run on, and the golden exposition (K = 2,
  // with evictions) must not depend on whether the test thread migrated between CPUs.
  o.shards = 1;
  return o;
}

TEST(HttpMethodName, FoldsUnknownMethodsIntoOther) {
  EXPECT_EQ(ParseHttpMethod("GET"), HttpMethod::kGet);
  EXPECT_EQ(ParseHttpMethod("PATCH"), HttpMethod::kPatch);
  EXPECT_EQ(ParseHttpMethod("get"), HttpMethod::kOther);  // methods are case-sensitive
  EXPECT_EQ(ParseHttpMethod("BREW"), HttpMethod::kOther);
  EXPECT_EQ(ParseHttpMethod(std::string(10000, 'G')), HttpMethod::kOther);
  EXPECT_EQ(HttpMethodName(HttpMethod::kOther), "OTHER");
}

TEST(HttpRedRecorder, RejectsRawPathsAsTemplates) {
  HttpRedOptions o;
  o.routes = {"orders"};
  EXPECT_THROW(HttpRedRecorder{o}, std::invalid_argument);
  o.routes = {""};
  EXPECT_THROW(HttpRedRecorder{o}, std::invalid_argument);
}

// A known request sequence renders to exactly the checked-in exposition text.
// PULSE_UPDATE_GOLDEN=1 rewrites the golden file.
TEST(HttpRedRecorder, ExpositionMatchesGolden) {
  HttpRedRecorder rec(SmallOptions());
  const auto orders = rec.Route("/orders");
  const auto order = rec.Route("/orders/{id}");
  rec.Record(HttpMethod::kGet, orders, 200, milliseconds(5), "alice");
  rec.Record(HttpMethod::kGet, orders, 200, milliseconds(50), "alice");
  rec.Record(HttpMethod::kPost, orders, 201, milliseconds(20), "bob");
  rec.Record(HttpMethod::kGet, order, 500, milliseconds(500), "carol");  // evicts bob (count 1)
  rec.Record("BREW", "/orders/{id}", 200, milliseconds(1), "alice");     // method folds to OTHER
  rec.Record("GET", "/no/such/route", 404, milliseconds(1), "");         // route __unmatched__
  rec.Record(HttpMethod::kGet, orders, 1000, milliseconds(1), "dave");   // status invalid
  const std::string text = Expose(rec);

  const std::string golden_path =
      pulse::testenv::SourceDir() + "/tests/instrumentation/golden/http_red_recorder.prom";
  if (const char* u = std::getenv("PULSE_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(golden_path) << text;
  }
  std::ifstream in(golden_path);
  ASSERT_TRUE(in) << "missing golden file " << golden_path;
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(text, golden.str());
}

TEST(HttpRedRecorder, CountsExactlyPerMethodRouteStatus) {
  HttpRedRecorder rec(SmallOptions());
  const auto order = rec.Route("/orders/{id}");
  for (int i = 0; i < 7; ++i) rec.Record(HttpMethod::kGet, order, 200, milliseconds(3), "u");
  for (int i = 0; i < 3; ++i) rec.Record(HttpMethod::kGet, order, 500, milliseconds(30), "u");
  rec.Record(HttpMethod::kDelete, order, 204, milliseconds(300), "u");
  const std::string t = Expose(rec);
  const std::string g200 = R"({method="GET",route="/orders/{id}",status="200"})";
  const std::string g500 = R"({method="GET",route="/orders/{id}",status="500"})";
  EXPECT_EQ(Sample(t, "http_request_duration_seconds_count" + g200), 7);
  EXPECT_EQ(Sample(t, "http_request_duration_seconds_count" + g500), 3);
  EXPECT_EQ(
      Sample(
          t,
          R"(http_request_duration_seconds_bucket{method="GET",route="/orders/{id}",status="500",le="0.01"})"),
      0);
  EXPECT_EQ(
      Sample(
          t,
          R"(http_request_duration_seconds_bucket{method="GET",route="/orders/{id}",status="500",le="0.1"})"),
      3);
  EXPECT_NEAR(*Sample(t, "http_request_duration_seconds_sum" + g500), 0.09, 1e-9);
  EXPECT_EQ(
      Sample(
          t,
          R"(http_request_duration_seconds_count{method="DELETE",route="/orders/{id}",status="204"})"),
      1);
  EXPECT_EQ(Sample(t, R"(http_requests_by_user_total{user="u"})"), 11);
  EXPECT_EQ(Sample(t, R"(http_requests_by_user_total{user="__other__"})"), 0);
  // Nothing was recorded for POST: no series is invented.
  EXPECT_EQ(t.find("method=\"POST\""), std::string::npos);
}

TEST(HttpRedRecorder, TopKZeroExportsNoUserSeries) {
  HttpRedOptions o = SmallOptions();
  o.top_k = 0;
  HttpRedRecorder rec(o);
  rec.Record(HttpMethod::kGet, rec.Route("/orders"), 200, milliseconds(1), "alice");
  EXPECT_EQ(Expose(rec).find("http_requests_by_user"), std::string::npos);
}

TEST(HttpRedRecorder, HostileUserIdsProduceValidExposition) {
  HttpRedRecorder rec(SmallOptions());
  rec.Record(HttpMethod::kGet, 1, 200, milliseconds(1), "evil\"}\nfake_metric 1\n\xff");
  const std::string t = Expose(rec);
  EXPECT_EQ(t.find("\nfake_metric"), std::string::npos) << t;
  EXPECT_NE(t.find(R"(http_requests_by_user_total{user="evil\"}\nfake_metric 1\n?"} 1)"),
            std::string::npos)
      << t;
}

TEST(HttpRedRecorder, ConcurrentRecordingAndScrapingAreExact) {
  HttpRedOptions o = SmallOptions();
  o.top_k = 10;
  o.shards = 2;  // 3 threads on 2 shards: shared shards, histogram written under the shard lock
  HttpRedRecorder rec(o);
  constexpr int kPerThread = 50'000;
  std::vector<std::thread> threads;
  for (int th = 0; th < 3; ++th) {
    threads.emplace_back([&rec, th] {
      const std::string user = "user" + std::to_string(th);
      for (int i = 0; i < kPerThread; ++i) {
        rec.Record(HttpMethod::kGet, rec.Route("/orders"), i % 10 == 0 ? 500 : 200, milliseconds(1),
                   user);
      }
    });
  }
  for (int i = 0; i < 20; ++i) Expose(rec);  // scrapes during recording
  for (auto& t : threads) t.join();
  const std::string t = Expose(rec);
  EXPECT_EQ(
      Sample(t,
             R"(http_request_duration_seconds_count{method="GET",route="/orders",status="200"})"),
      3 * kPerThread * 9 / 10);
  EXPECT_EQ(
      Sample(t,
             R"(http_request_duration_seconds_count{method="GET",route="/orders",status="500"})"),
      3 * kPerThread / 10);
  for (int th = 0; th < 3; ++th) {
    EXPECT_EQ(Sample(t, "http_requests_by_user_total{user=\"user" + std::to_string(th) + "\"}"),
              kPerThread);
  }
}

}  // namespace
}  // namespace pulse::red
