// SigV4 against AWS's published example, and the shop's invoices in the real S3 server (fixture
// s3: versitygw, which verifies signatures).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "demo_test_support.h"
#include "s3_invoices.h"
#include "shop_service.h"
#include "sigv4.h"

namespace pulse::demo {
namespace {

// The "GET Object" example of AWS's SigV4 documentation for S3 (header-based authentication).
TEST(SigV4, MatchesAwsGetObjectExample) {
  s3::SigV4Request r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.payload_sha256_hex = s3::Sha256Hex("");
  r.amz_date = "20130524T000000Z";
  r.access_key = "AKIAIOSFODNN7EXAMPLE";
  r.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  r.region = "us-east-1";
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"},
               {"range", "bytes=0-9"},
               {"x-amz-content-sha256", r.payload_sha256_hex},
               {"x-amz-date", r.amz_date}};
  EXPECT_EQ(r.payload_sha256_hex,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s3::Authorization(r),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, RejectsMalformedDatesAndEncodesUris) {
  s3::SigV4Request r;
  r.amz_date = "2013-05-24";
  EXPECT_THROW(s3::Authorization(r), std::invalid_argument);
  EXPECT_EQ(s3::UriEncode("invoices/a b+c.json", false), "invoices/a%20b%2Bc.json");
  EXPECT_EQ(s3::UriEncode("a/b", true), "a%2Fb");
  EXPECT_EQ(s3::UriEncode("ü~", false), "%C3%BC~");
}

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
  HttpClient c("127.0.0.1", server.port());
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
