// The shop's invoices in the real S3 server (fixture s3: versitygw, which verifies signatures).
// SigV4 itself is checked against AWS's published examples in tests/http/sigv4_test.cc.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "demo_test_support.h"
#include "s3_invoices.h"
#include "shop_service.h"

namespace pulse::demo {
namespace {

s3::S3Options RealS3() {
  s3::S3Options o;
  o.endpoint = pulse::testenv::Get("s3", "ENDPOINT");
  o.access_key = pulse::testenv::Get("s3", "ACCESS_KEY");
  o.secret_key = pulse::testenv::Get("s3", "SECRET_KEY");
  o.region = pulse::testenv::Get("s3", "REGION");
  o.bucket = "shop-invoices-test";
  return o;
}

TEST(S3Invoices, PutAndGetBackThroughSignedRequests) {
  s3::S3Invoices store(RealS3());
  store.EnsureBucket();
  store.EnsureBucket();  // idempotent
  store.Put("invoices/test 1.json", "{\"total\":42}");
  EXPECT_EQ(store.Get("invoices/test 1.json"), "{\"total\":42}");
  EXPECT_EQ(store.Get("invoices/missing.json"), std::nullopt);
}

TEST(S3Invoices, WrongSecretIsRejectedWithS3sAnswer) {
  s3::S3Options o = RealS3();
  o.secret_key = "not-the-secret";
  s3::S3Invoices store(o);
  try {
    store.Put("invoices/x.json", "{}");
    FAIL() << "the server accepted a bad signature";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("403"), std::string::npos) << e.what();
  }
  o.bucket = "Bad_Bucket";
  EXPECT_THROW(s3::S3Invoices{o}, std::invalid_argument);
}

TEST(S3Invoices, ShopWritesOneInvoicePerOrder) {
  auto invoices = std::make_shared<s3::S3Invoices>(RealS3());
  invoices->EnsureBucket();
  auto redis_metrics = std::make_shared<red::RedisMetrics>();
  auto redis = std::make_shared<RedisPool>(testing::RealRedis(), redis_metrics);
  auto pg = std::make_shared<PgPool>(pulse::testenv::Get("postgres", "DSN"));
  HttpServer server(ServerOptions{}, shop::MakeRoutes(redis, pg, nullptr, invoices), {});
  server.Start();
  LoopbackHttpClient c("127.0.0.1", server.port());
  ASSERT_EQ(c.Request("POST", "/cart/s3user/items", R"({"sku":"SKU-0005","quantity":2})").status,
            201);
  const HttpResult order = c.Request("POST", "/orders", R"({"user":"s3user"})");
  ASSERT_EQ(order.status, 201) << order.body;
  const auto id = nlohmann::json::parse(order.body)["id"].get<long long>();
  const auto invoice = invoices->Get("invoices/" + std::to_string(id) + ".json");
  ASSERT_TRUE(invoice);
  const auto j = nlohmann::json::parse(*invoice);
  EXPECT_EQ(j["invoice_for_order"], id);
  EXPECT_EQ(j["total_cents"], 2 * 699);
  EXPECT_EQ(j["customer"], "s3user");
}

}  // namespace
}  // namespace pulse::demo
