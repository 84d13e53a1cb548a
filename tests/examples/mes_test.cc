// The MES service against the real Redis and PostgreSQL: exact /metrics after a known sequence.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "demo_test_support.h"
#include "mes_service.h"

namespace pulse::demo {
namespace {

using testing::RealRedis;
using testing::RedisCalls;
using testing::Requests;

TEST(Mes, MetricsMatchAKnownRequestSequence) {
  auto redis_metrics = std::make_shared<red::RedisMetrics>();
  auto redis = std::make_shared<RedisPool>(RealRedis(), redis_metrics);
  auto pg = std::make_shared<PgPool>(pulse::testenv::Get("postgres", "DSN"));
  HttpServer server(ServerOptions{}, mes::MakeRoutes(redis, pg), {redis_metrics});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());

  const HttpResult created =
      c.Request("POST", "/work-orders", R"({"product":"gear","quantity":40})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = std::to_string(nlohmann::json::parse(created.body)["id"].get<long long>());
  EXPECT_EQ(c.Request("POST", "/work-orders", R"({"product":"gear","quantity":0})").status, 400);
  EXPECT_EQ(c.Request("GET", "/work-orders/" + id).status, 200);  // miss: PostgreSQL, then cached
  EXPECT_EQ(c.Request("GET", "/work-orders/" + id).status, 200);  // hit
  EXPECT_EQ(c.Request("PUT", "/work-orders/" + id + "/status", R"({"status":"running"})").status,
            200);
  EXPECT_EQ(nlohmann::json::parse(c.Request("GET", "/work-orders/" + id).body)["status"],
            "running");
  EXPECT_EQ(c.Request("GET", "/work-orders?status=running").status, 200);
  EXPECT_EQ(c.Request("GET", "/work-orders?status=bogus").status, 400);
  EXPECT_EQ(c.Request("GET", "/work-orders/999999999").status, 404);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.Request("POST", "/machines/press-7/telemetry",
                        R"({"temperature":)" + std::to_string(60 + i) + R"(,"spindle_rpm":1200})")
                  .status,
              201);
  }
  const HttpResult latest = c.Request("GET", "/machines/press-7/telemetry");
  EXPECT_EQ(nlohmann::json::parse(latest.body)["temperature"], 62.0);
  EXPECT_EQ(c.Request("GET", "/machines/bad%20id/telemetry").status, 400);
  EXPECT_EQ(c.Request("POST", "/machines/press-7/telemetry", R"({"temperature":"hot"})").status,
            400);
  EXPECT_EQ(c.Request("GET", "/machines/never-seen/telemetry").status, 404);
  const auto rows = pg->Exec("SELECT count(*) FROM mes_telemetry WHERE machine_id = 'press-7'");
  EXPECT_EQ(rows[0][0], "3");

  const std::string m = c.Request("GET", "/metrics").body;
  EXPECT_EQ(Requests(m, "POST", "/work-orders", 201), 1);
  EXPECT_EQ(Requests(m, "POST", "/work-orders", 400), 1);
  EXPECT_EQ(Requests(m, "GET", "/work-orders/{id}", 200), 3);
  EXPECT_EQ(Requests(m, "GET", "/work-orders/{id}", 404), 1);
  EXPECT_EQ(Requests(m, "PUT", "/work-orders/{id}/status", 200), 1);
  EXPECT_EQ(Requests(m, "GET", "/work-orders", 200), 1);
  EXPECT_EQ(Requests(m, "GET", "/work-orders", 400), 1);
  EXPECT_EQ(Requests(m, "POST", "/machines/{id}/telemetry", 201), 3);
  EXPECT_EQ(Requests(m, "POST", "/machines/{id}/telemetry", 400), 1);
  EXPECT_EQ(Requests(m, "GET", "/machines/{id}/telemetry", 200), 1);
  EXPECT_EQ(Requests(m, "GET", "/machines/{id}/telemetry", 400), 1);
  EXPECT_EQ(Requests(m, "GET", "/machines/{id}/telemetry", 404), 1);
  // Cache-aside: 4 GETs of work orders (1 miss + 1 hit, 1 after invalidation, 1 for the 404),
  // 2 fills (SETEX), 1 invalidation (DEL); telemetry: 3 SETs, 2 GETs.
  EXPECT_EQ(RedisCalls(m, "SETEX"), 2);
  EXPECT_EQ(RedisCalls(m, "DEL"), 1);
  EXPECT_EQ(RedisCalls(m, "SET"), 3);
  EXPECT_EQ(RedisCalls(m, "GET"), 6);
}

}  // namespace
}  // namespace pulse::demo
