// The CRM service against the real Redis: exact /metrics after a known request sequence, and the
// binary started, queried and stopped by SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "crm_service.h"
#include "demo_test_support.h"
#include "pulse/testing/child_process.h"
#include "pulse/testing/eventually.h"

namespace pulse::demo {
namespace {

using testing::RealRedis;
using testing::RedisCalls;
using testing::Requests;

TEST(Crm, MetricsMatchAKnownRequestSequence) {
  auto redis_metrics = std::make_shared<red::RedisMetrics>();
  auto redis = std::make_shared<RedisPool>(RealRedis(), redis_metrics);
  HttpServer server(ServerOptions{}, crm::MakeRoutes(redis), {redis_metrics});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  const std::map<std::string, std::string> as_ann = {{"X-User-Id", "ann"}};

  std::vector<long long> ids;
  for (int i = 0; i < 3; ++i) {
    const HttpResult r = c.Request(
        "POST", "/customers",
        R"({"name":"Customer )" + std::to_string(i) + R"(","email":"c@example.com"})", as_ann);
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(nlohmann::json::parse(r.body)["id"].get<long long>());
  }
  EXPECT_EQ(c.Request("POST", "/customers", "{not json", as_ann).status, 400);
  EXPECT_EQ(c.Request("POST", "/customers", R"({"name":"x"})", as_ann).status, 400);
  EXPECT_EQ(c.Request("POST", "/customers", R"({"name":"x","email":"no-at"})").status, 400);
  for (int i = 0; i < 2; ++i) {
    const HttpResult r = c.Request("GET", "/customers");
    ASSERT_EQ(r.status, 200);
    EXPECT_GE(nlohmann::json::parse(r.body)["customers"].size(), 3u);
  }
  for (long long id : ids) {
    EXPECT_EQ(c.Request("GET", "/customers/" + std::to_string(id)).status, 200);
  }
  EXPECT_EQ(c.Request("GET", "/customers/999999999").status, 404);
  EXPECT_EQ(c.Request("GET", "/customers/abc").status, 400);
  const HttpResult deal = c.Request(
      "POST", "/deals",
      R"({"customer_id":)" + std::to_string(ids[0]) + R"(,"title":"Big","amount":1000})", as_ann);
  ASSERT_EQ(deal.status, 201) << deal.body;
  const std::string deal_id =
      std::to_string(nlohmann::json::parse(deal.body)["id"].get<long long>());
  EXPECT_EQ(
      c.Request("POST", "/deals", R"({"customer_id":999999999,"title":"x","amount":1})").status,
      409);
  EXPECT_EQ(c.Request("PUT", "/deals/" + deal_id + "/stage", R"({"stage":"won"})").status, 200);
  EXPECT_EQ(c.Request("PUT", "/deals/" + deal_id + "/stage", R"({"stage":"maybe"})").status, 400);
  const HttpResult got = c.Request("GET", "/deals/" + deal_id);
  EXPECT_EQ(nlohmann::json::parse(got.body)["stage"], "won");

  const std::string m = c.Request("GET", "/metrics").body;
  EXPECT_EQ(Requests(m, "POST", "/customers", 201), 3);
  EXPECT_EQ(Requests(m, "POST", "/customers", 400), 3);
  EXPECT_EQ(Requests(m, "GET", "/customers", 200), 2);
  EXPECT_EQ(Requests(m, "GET", "/customers/{id}", 200), 3);
  EXPECT_EQ(Requests(m, "GET", "/customers/{id}", 404), 1);
  EXPECT_EQ(Requests(m, "GET", "/customers/{id}", 400), 1);
  EXPECT_EQ(Requests(m, "POST", "/deals", 201), 1);
  EXPECT_EQ(Requests(m, "POST", "/deals", 409), 1);
  EXPECT_EQ(Requests(m, "PUT", "/deals/{id}/stage", 200), 1);
  EXPECT_EQ(Requests(m, "PUT", "/deals/{id}/stage", 400), 1);
  EXPECT_EQ(Requests(m, "GET", "/deals/{id}", 200), 1);
  EXPECT_EQ(red::testing::Sample(m, R"(http_requests_by_user_total{user="ann"})"), 6);
  // Redis calls behind them: one INCR + SET + ZADD per created object, one MGET per listing.
  EXPECT_EQ(RedisCalls(m, "INCR"), 4);
  EXPECT_EQ(RedisCalls(m, "ZADD"), 4);
  EXPECT_EQ(RedisCalls(m, "MGET"), 2);
  EXPECT_EQ(RedisCalls(m, "EXISTS"), 2);
  EXPECT_EQ(m.find("redis_command_errors_total{"), std::string::npos);
}

TEST(Crm, RedisOutageGives503sAndIoErrors) {
  auto redis_metrics = std::make_shared<red::RedisMetrics>();
  red::RedisClientOptions dead = RealRedis();
  dead.port = 1;
  auto redis = std::make_shared<RedisPool>(dead, redis_metrics);
  HttpServer server(ServerOptions{}, crm::MakeRoutes(redis), {redis_metrics});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  EXPECT_EQ(c.Request("GET", "/customers").status, 503);
  EXPECT_EQ(c.Request("GET", "/customers/1").status, 503);
  const std::string m = c.Request("GET", "/metrics").body;
  EXPECT_EQ(Requests(m, "GET", "/customers", 503), 1);
  EXPECT_EQ(
      red::testing::Sample(m, R"(redis_command_errors_total{command="ZREVRANGE",error_type="io"})"),
      1);
  EXPECT_EQ(red::testing::Sample(m, R"(redis_command_errors_total{command="GET",error_type="io"})"),
            1);
}

TEST(Crm, BinaryServesAndStopsOnSigterm) {
  const char* bin = std::getenv("PULSE_DEMO_CRM_BIN");
  ASSERT_NE(bin, nullptr);
  const std::string port_file = pulse::testenv::BinaryDir() + "/crm_test.port";
  std::remove(port_file.c_str());
  const std::string redis = "127.0.0.1:" + pulse::testenv::Get("redis", "PORT");
  pulse::testing::ChildOptions options;
  options.args = {"--listen",    "127.0.0.1:0", "--redis",      redis,
                  "--port-file", port_file,     "--error-rate", "1"};
  pulse::testing::ChildProcess crm(bin, std::move(options));
  int port = 0;
  ASSERT_TRUE(pulse::testing::Eventually([&] {
    std::ifstream(port_file) >> port;
    return port > 0;
  })) << "the binary did not write its port:\n"
      << crm.Output();
  LoopbackHttpClient c("127.0.0.1", port);
  EXPECT_EQ(c.Request("GET", "/customers").status, 500);  // --error-rate 1
  EXPECT_EQ(Requests(c.Request("GET", "/metrics").body, "GET", "/customers", 500), 1);
  crm.Signal(SIGTERM);
  EXPECT_EQ(crm.Wait(std::chrono::seconds(30)), 0) << crm.Output();

  // Bad flags: exit code 2 with a message, no server.
  pulse::testing::ChildOptions bad;
  bad.args = {"--error-rate", "2"};
  std::string output;
  EXPECT_EQ(pulse::testing::RunToCompletion(bin, std::move(bad), &output), 2) << output;
  EXPECT_NE(output.find("error rate"), std::string::npos) << output;
}

}  // namespace
}  // namespace pulse::demo
