// The instrumented server alone (no backends): exact /metrics after a known request sequence,
// injected failures counted exactly, hostile requests handled.
#include <gtest/gtest.h>

#include <fstream>

#include "exposition.h"
#include "pulse/demo/http_server.h"
#include "pulse/demo/loopback_http_client.h"
#include "pulse/testenv/testenv.h"

namespace pulse::demo {
namespace {

using pulse::red::testing::Sample;

std::vector<Route> EchoRoutes() {
  return {
      {"GET", "/items", [](const HttpRequest&) { return HttpResponse::Json(200, "[]"); }},
      {"GET", "/items/{id}",
       [](const HttpRequest& r) {
         if (r.params.at("id") == "0") return HttpResponse::Error(404, "no item 0");
         return HttpResponse::Json(200, "{\"id\":\"" + r.params.at("id") + "\"}");
       }},
      {"POST", "/items", [](const HttpRequest& r) { return HttpResponse::Json(201, r.body); }},
      {"GET", "/boom",
       [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("handler failed"); }},
  };
}

std::string Metrics(LoopbackHttpClient& c) { return c.Request("GET", "/metrics").body; }

TEST(HttpServer, MetricsCountAKnownSequenceExactly) {
  ServerOptions o;
  o.threads = 4;
  HttpServer server(o, EchoRoutes(), {});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(c.Request("GET", "/items", "", {{"X-User-Id", "alice"}}).status, 200);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.Request("GET", "/items/7?user=bob").status, 200);
  EXPECT_EQ(c.Request("GET", "/items/0").status, 404);
  EXPECT_EQ(c.Request("POST", "/items", "{\"a\":1}", {{"X-User-Id", "alice"}}).body, "{\"a\":1}");
  EXPECT_EQ(c.Request("DELETE", "/items").status, 405);
  EXPECT_EQ(c.Request("GET", "/nowhere/at/all").status, 404);
  // civetweb itself answers 400 to methods it does not know; known ones outside the label set
  // (WebDAV's PROPFIND) reach the handler and fold into method="OTHER".
  EXPECT_EQ(c.Request("PROPFIND", "/items").status, 405);
  // HEAD of a GET-only route: 405 with headers only, and the keep-alive connection stays in sync.
  LoopbackHttpClient head_client("127.0.0.1", server.port());
  const HttpResult head = head_client.Request("HEAD", "/items");
  EXPECT_EQ(head.status, 405);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head_client.Request("GET", "/items").status, 200);
  const HttpResult boom = c.Request("GET", "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_NE(boom.body.find("handler failed"), std::string::npos);

  const std::string m = Metrics(c);
  auto count = [&](const std::string& labels) {
    return Sample(m, "http_request_duration_seconds_count{" + labels + "}").value_or(-1);
  };
  EXPECT_EQ(count(R"(method="GET",route="/items",status="200")"), 6);
  EXPECT_EQ(count(R"(method="GET",route="/items/{id}",status="200")"), 3);
  EXPECT_EQ(count(R"(method="GET",route="/items/{id}",status="404")"), 1);
  EXPECT_EQ(count(R"(method="POST",route="/items",status="201")"), 1);
  EXPECT_EQ(count(R"(method="DELETE",route="/items",status="405")"), 1);
  EXPECT_EQ(count(R"(method="GET",route="__unmatched__",status="404")"), 1);
  EXPECT_EQ(count(R"(method="OTHER",route="/items",status="405")"), 1);
  EXPECT_EQ(count(R"(method="GET",route="/boom",status="500")"), 1);
  EXPECT_EQ(count(R"(method="HEAD",route="/items",status="405")"), 1);
  EXPECT_EQ(Sample(m, R"(http_requests_by_user_total{user="alice"})"), 6);
  EXPECT_EQ(Sample(m, R"(http_requests_by_user_total{user="bob"})"), 3);
  EXPECT_EQ(Sample(m, R"(http_requests_by_user_total{user="__anonymous__"})"), 7);
  // /metrics itself is not recorded, and the raw path never appears as a label.
  EXPECT_EQ(m.find("route=\"/metrics\""), std::string::npos);
  EXPECT_EQ(m.find("/items/7"), std::string::npos);
  EXPECT_TRUE(Sample(m, "process_resident_memory_bytes"));
}

// The whole exposition a service serves (RED, per-user, process) passes `promtool check metrics`.
TEST(HttpServer, ExpositionPassesPromtoolLint) {
  HttpServer server(ServerOptions{}, EchoRoutes(), {});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  c.Request("GET", "/items", "", {{"X-User-Id", "alice"}});
  c.Request("GET", "/items/0");
  const std::string path = pulse::testenv::BinaryDir() + "/server_test_metrics.prom";
  {
    std::ofstream out(path);
    out << Metrics(c);
  }
  std::string output;
  EXPECT_EQ(pulse::testenv::Shell("promtool check metrics < " + path, &output), 0) << output;
}

TEST(HttpServer, InjectedFailuresAreCountedExactly) {
  ServerOptions o;
  o.faults.error_rate = 0.3;
  HttpServer server(o, EchoRoutes(), {});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  int ok = 0, failed = 0;
  for (int i = 0; i < 300; ++i) {
    const int s = c.Request("GET", "/items").status;
    ok += s == 200;
    failed += s == 500;
  }
  EXPECT_EQ(ok + failed, 300);
  EXPECT_GT(failed, 40);  // 0.3 of 300, far from zero
  const std::string m = Metrics(c);
  EXPECT_EQ(
      Sample(m, R"(http_request_duration_seconds_count{method="GET",route="/items",status="200"})"),
      ok);
  EXPECT_EQ(
      Sample(m, R"(http_request_duration_seconds_count{method="GET",route="/items",status="500"})"),
      failed);
}

TEST(HttpServer, InjectedLatencyShowsInTheHistogram) {
  ServerOptions o;
  o.faults.latency = std::chrono::milliseconds(30);
  HttpServer server(o, EchoRoutes(), {});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  for (int i = 0; i < 4; ++i) c.Request("GET", "/items");
  const std::string m = Metrics(c);
  EXPECT_EQ(
      Sample(
          m,
          R"(http_request_duration_seconds_bucket{method="GET",route="/items",status="200",le="0.025"})"),
      0);
  EXPECT_EQ(
      Sample(
          m,
          R"(http_request_duration_seconds_bucket{method="GET",route="/items",status="200",le="0.05"})"),
      4);
}

TEST(HttpServer, OversizedBodyIsRejectedAndCounted) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  HttpServer server(o, EchoRoutes(), {});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  EXPECT_EQ(c.Request("POST", "/items", std::string(4096, 'x')).status, 413);
  LoopbackHttpClient c2("127.0.0.1", server.port());
  EXPECT_EQ(
      Sample(Metrics(c2),
             R"(http_request_duration_seconds_count{method="POST",route="/items",status="413"})"),
      1);
}

TEST(HttpServer, WithoutInstrumentationExportsNoRedMetrics) {
  ServerOptions o;
  o.instrument = false;
  HttpServer server(o, EchoRoutes(), {});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  EXPECT_EQ(c.Request("GET", "/items").status, 200);
  const std::string m = Metrics(c);
  EXPECT_EQ(m.find("http_request_duration_seconds"), std::string::npos);
  EXPECT_NE(m.find("process_cpu_seconds_total"), std::string::npos);
}

TEST(HttpServer, RejectsBadRoutesAndBusyPorts) {
  EXPECT_THROW(HttpServer(ServerOptions{}, {{"GET", "items", nullptr}}, {}), std::invalid_argument);
  ServerOptions o;
  HttpServer first(o, EchoRoutes(), {});
  first.Start();
  ServerOptions same;
  same.listen = "127.0.0.1:" + std::to_string(first.port());
  HttpServer second(same, EchoRoutes(), {});
  EXPECT_THROW(second.Start(), std::runtime_error);
}

}  // namespace
}  // namespace pulse::demo
