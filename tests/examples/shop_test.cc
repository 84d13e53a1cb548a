// The shop against the real Redis, PostgreSQL and RabbitMQ: exact /metrics after a known
// sequence, and its order events through RabbitMQ into the dead-letter queue.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "consumer_policy.h"
#include "demo_test_support.h"
#include "order_events.h"
#include "pulse/testing/eventually.h"
#include "shop_service.h"

namespace pulse::demo {
namespace {

using pulse::testing::Eventually;
using testing::RealAmqp;
using testing::RealRedis;
using testing::RedisCalls;
using testing::Requests;

// The shop's topology with both queues empty (the broker is shared between tests).
void EmptyShopQueues(amqp::Connection& c) {
  shop::DeclareTopology(c);
  c.Purge(shop::kOrdersQueue);
  c.Purge(shop::kDeadLetterQueue);
}

TEST(Shop, OrdersFlowThroughRedisPostgresAndRabbitMq) {
  amqp::Connection rabbit(RealAmqp());
  EmptyShopQueues(rabbit);
  auto mq = std::make_shared<shop::AmqpOrderEvents>(RealAmqp());
  auto redis_metrics = std::make_shared<red::RedisMetrics>();
  auto redis = std::make_shared<RedisPool>(RealRedis(), redis_metrics);
  redis->Command({"DEL", "shop:catalogue", "shop:cart:zoe", "shop:product:SKU-0002"});
  auto pg = std::make_shared<PgPool>(pulse::testenv::Get("postgres", "DSN"));
  HttpServer server(ServerOptions{}, shop::MakeRoutes(redis, pg, mq), {redis_metrics});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  const std::map<std::string, std::string> as_zoe = {{"X-User-Id", "zoe"}};

  for (int i = 0; i < 2; ++i) {
    const HttpResult r = c.Request("GET", "/catalogue", "", as_zoe);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(nlohmann::json::parse(r.body)["products"].size(), 50u);
  }
  EXPECT_EQ(c.Request("GET", "/catalogue/SKU-0002", "", as_zoe).status, 200);
  EXPECT_EQ(c.Request("GET", "/catalogue/NOPE", "", as_zoe).status, 404);
  EXPECT_EQ(
      c.Request("POST", "/cart/zoe/items", R"({"sku":"SKU-0002","quantity":3})", as_zoe).status,
      201);
  EXPECT_EQ(c.Request("POST", "/cart/zoe/items", R"({"sku":"NOPE","quantity":1})", as_zoe).status,
            404);
  EXPECT_EQ(
      c.Request("POST", "/cart/zoe/items", R"({"sku":"SKU-0002","quantity":1000})", as_zoe).status,
      400);
  const HttpResult order = c.Request("POST", "/orders", R"({"user":"zoe"})", as_zoe);
  ASSERT_EQ(order.status, 201) << order.body;
  const auto order_json = nlohmann::json::parse(order.body);
  EXPECT_EQ(order_json["total_cents"], 3 * 399);
  EXPECT_EQ(c.Request("POST", "/orders", R"({"user":"zoe"})", as_zoe).status, 409);  // cart emptied
  EXPECT_EQ(c.Request("GET", "/orders/" + std::to_string(order_json["id"].get<long long>())).status,
            200);
  EXPECT_EQ(c.Request("GET", "/orders/999999999").status, 404);

  const std::string m = c.Request("GET", "/metrics").body;
  EXPECT_EQ(Requests(m, "GET", "/catalogue", 200), 2);
  EXPECT_EQ(Requests(m, "GET", "/catalogue/{sku}", 200), 1);
  EXPECT_EQ(Requests(m, "GET", "/catalogue/{sku}", 404), 1);
  EXPECT_EQ(Requests(m, "POST", "/cart/{user}/items", 201), 1);
  EXPECT_EQ(Requests(m, "POST", "/cart/{user}/items", 404), 1);
  EXPECT_EQ(Requests(m, "POST", "/cart/{user}/items", 400), 1);
  EXPECT_EQ(Requests(m, "POST", "/orders", 201), 1);
  EXPECT_EQ(Requests(m, "POST", "/orders", 409), 1);
  EXPECT_EQ(Requests(m, "GET", "/orders/{id}", 200), 1);
  EXPECT_EQ(Requests(m, "GET", "/orders/{id}", 404), 1);
  EXPECT_EQ(red::testing::Sample(m, R"(http_requests_by_user_total{user="zoe"})"), 9);
  EXPECT_EQ(RedisCalls(m, "HINCRBY"), 1);
  EXPECT_EQ(RedisCalls(m, "HGETALL"), 2);

  // The order event was confirmed into shop.orders before the 201; a rejected delivery lands
  // in the dead-letter queue.
  const auto event = rabbit.Get(shop::kOrdersQueue);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->routing_key, "order.created");
  EXPECT_EQ(nlohmann::json::parse(event->body)["order"]["id"], order_json["id"]) << event->body;
  rabbit.Reject(event->delivery_tag, /*requeue=*/false);
  EXPECT_FALSE(rabbit.Get(shop::kOrdersQueue));
  ASSERT_TRUE(Eventually([&] { return rabbit.MessageCount(shop::kDeadLetterQueue) == 1; }));
}

TEST(Shop, PublishFailureAnswers500AndIsCounted) {
  auto redis_metrics = std::make_shared<red::RedisMetrics>();
  auto redis = std::make_shared<RedisPool>(RealRedis(), redis_metrics);
  auto pg = std::make_shared<PgPool>(pulse::testenv::Get("postgres", "DSN"));
  amqp::ConnectionOptions wrong = RealAmqp();
  wrong.password = "wrong";
  auto wrong_password = std::make_shared<shop::AmqpOrderEvents>(wrong);
  HttpServer server(ServerOptions{}, shop::MakeRoutes(redis, pg, wrong_password), {});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  ASSERT_EQ(c.Request("POST", "/cart/ivy/items", R"({"sku":"SKU-0001","quantity":1})").status, 201);
  const HttpResult r = c.Request("POST", "/orders", R"({"user":"ivy"})");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("ACCESS_REFUSED"), std::string::npos) << r.body;
  EXPECT_EQ(Requests(c.Request("GET", "/metrics").body, "POST", "/orders", 500), 1);
}

}  // namespace
}  // namespace pulse::demo

namespace pulse::demo {
namespace {

TEST(ShopConsumer, HoldsSomeDeliveriesUnacknowledgedAndDeadLettersOthers) {
  amqp::Connection rabbit(RealAmqp());
  EmptyShopQueues(rabbit);
  shop::AmqpOrderEvents events(RealAmqp());
  for (int i = 0; i < 6; ++i) events.Publish("{\"order\":" + std::to_string(i) + "}");
  const shop::ConsumerPolicy policy{2, 2};  // hold #1-2, reject #4 and #6, ack #3 and #5
  {
    amqp::Connection consumer(RealAmqp());
    consumer.Consume(shop::kOrdersQueue, 10);
    for (std::uint64_t n = 1; n <= 6; ++n) {
      const auto d = consumer.Next(std::chrono::seconds(10));
      ASSERT_TRUE(d) << "delivery " << n;
      EXPECT_EQ(d->body, "{\"order\":" + std::to_string(n - 1) + "}");
      EXPECT_EQ(d->routing_key, "order.created");
      switch (policy.Decide(n)) {
        case shop::DeliveryAction::kHold:
          break;
        case shop::DeliveryAction::kReject:
          consumer.Reject(d->delivery_tag, /*requeue=*/false);
          break;
        case shop::DeliveryAction::kAck:
          consumer.Ack(d->delivery_tag);
          break;
      }
    }
    EXPECT_FALSE(consumer.Next(std::chrono::milliseconds(200)));
    // The two rejected ones went through shop.dlx into the dead-letter queue.
    ASSERT_TRUE(Eventually([&] { return rabbit.MessageCount(shop::kDeadLetterQueue) == 2; }))
        << rabbit.MessageCount(shop::kDeadLetterQueue);
    // While the consumer lives, the two held deliveries are in flight: none is ready to take.
    EXPECT_EQ(rabbit.MessageCount(shop::kOrdersQueue), 0u);
  }
  // The consumer's connection closed: its held deliveries return to the queue.
  EXPECT_TRUE(Eventually([&] { return rabbit.MessageCount(shop::kOrdersQueue) == 2; }))
      << rabbit.MessageCount(shop::kOrdersQueue);
}

}  // namespace
}  // namespace pulse::demo
