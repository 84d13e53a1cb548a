// S3 (versitygw, which verifies SigV4): more than 1,000 objects of known sizes force paging and
// must be counted exactly, per bucket and per prefix; path-style and virtual-host addressing,
// a wrong secret is an auth error.
#include <gtest/gtest.h>

#include <thread>

#include "pulse/exporter/s3_target.h"
#include "pulse/http/sigv4.h"
#include "pulse/testenv/testenv.h"
#include "support.h"

namespace pulse::exporter {
namespace {

S3Spec Spec() {
  S3Spec spec;
  spec.endpoint = testenv::Get("s3", "ENDPOINT");
  spec.region = testenv::Get("s3", "REGION");
  setenv("PULSE_TEST_S3_KEY", testenv::Get("s3", "ACCESS_KEY").c_str(), 1);
  setenv("PULSE_TEST_S3_SECRET", testenv::Get("s3", "SECRET_KEY").c_str(), 1);
  spec.access_key_id = {Credential::Source::kEnv, "PULSE_TEST_S3_KEY"};
  spec.secret_access_key = {Credential::Source::kEnv, "PULSE_TEST_S3_SECRET"};
  return spec;
}

namespace sigv4 = http::sigv4;

// A signed request with our own SigV4 (the same code the exporter lists with).
testing::HttpResult Signed(const std::string& method, const std::string& path,
                           const std::string& body) {
  const S3Location loc = LocateBucket(Spec(), "unused");
  sigv4::Request req;
  req.method = method;
  req.path = path;
  req.payload_hash = sigv4::Sha256Hex(body);
  const std::string date = sigv4::AmzDate(std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
  req.headers = {
      {"host", loc.host}, {"x-amz-content-sha256", req.payload_hash}, {"x-amz-date", date}};
  sigv4::Signing signing{testenv::Get("s3", "ACCESS_KEY"), testenv::Get("s3", "SECRET_KEY"),
                         testenv::Get("s3", "REGION"), "s3", date};
  http::Request request;
  request.method = method;
  request.url = loc.base_url + path;
  request.body = body;
  request.headers = req.headers;
  request.headers.push_back({"Authorization", sigv4::Authorization(req, signing)});
  return testing::Send(request);
}

class S3Integration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = Signed("PUT", "/pulse-paging/", "");
    ASSERT_EQ(r.status, 200) << r.body << r.error_message;
    // 1,234 objects: sizes 0..1233 bytes under "a/", plus 5 of 1000 bytes under "b/".
    expected_bytes_a_ = 0;
    for (int i = 0; i < 1234; ++i) {
      const std::string key = "a/obj-" + std::to_string(i);
      auto put =
          Signed("PUT", "/pulse-paging/" + key, std::string(static_cast<std::size_t>(i), 'x'));
      ASSERT_EQ(put.status, 200) << key << ": " << put.body;
      expected_bytes_a_ += static_cast<std::uint64_t>(i);
    }
    for (int i = 0; i < 5; ++i) {
      auto put = Signed("PUT", "/pulse-paging/b/o" + std::to_string(i), std::string(1000, 'y'));
      ASSERT_EQ(put.status, 200);
    }
  }
  static std::uint64_t expected_bytes_a_;
};
std::uint64_t S3Integration::expected_bytes_a_ = 0;

double Get(const MetricSet& m, const std::string& name, const LabelPairs& labels = {}) {
  const auto* s = m.Find(name, labels);
  return s ? s->value : -1;
}

TEST_F(S3Integration, PagesThroughMoreThan1000ObjectsExactly) {
  S3Spec spec = Spec();
  spec.buckets = {{"pulse-paging", {"", "a/", "b/", "none/"}}};
  S3Target target(spec, std::chrono::seconds(30), testing::SharedHttpClient());
  const RefreshResult r = target.Refresh(std::stop_token{});
  ASSERT_TRUE(r.ok) << r.reason << ": " << r.message;
  const auto& m = r.metrics;
  auto labels = [](const std::string& prefix) {
    return LabelPairs{{"bucket", "pulse-paging"}, {"prefix", prefix}};
  };
  EXPECT_EQ(Get(m, "pulse_s3_bucket_objects", labels("")), 1239);
  EXPECT_EQ(Get(m, "pulse_s3_bucket_size_bytes", labels("")),
            static_cast<double>(expected_bytes_a_ + 5000));
  EXPECT_EQ(Get(m, "pulse_s3_bucket_objects", labels("a/")), 1234);
  EXPECT_EQ(Get(m, "pulse_s3_bucket_size_bytes", labels("a/")),
            static_cast<double>(expected_bytes_a_));
  EXPECT_EQ(Get(m, "pulse_s3_bucket_objects", labels("b/")), 5);
  EXPECT_EQ(Get(m, "pulse_s3_bucket_size_bytes", labels("b/")), 5000);
  EXPECT_EQ(Get(m, "pulse_s3_bucket_objects", labels("none/")), 0);
  // Cost: 2 pages for "", 2 for a/, 1 each for b/ and none/.
  EXPECT_EQ(Get(m, "pulse_s3_list_requests_total"), 6);
  EXPECT_EQ(Get(m, "pulse_s3_listed_objects_total"), 1239 + 1234 + 5);
}

TEST_F(S3Integration, WrongSecretIsAnAuthError) {
  S3Spec spec = Spec();
  setenv("PULSE_TEST_S3_BAD", "definitely-wrong-secret", 1);
  spec.secret_access_key = {Credential::Source::kEnv, "PULSE_TEST_S3_BAD"};
  spec.buckets = {{"pulse-paging", {""}}};
  S3Target target(spec, std::chrono::seconds(10), testing::SharedHttpClient());
  const RefreshResult r = target.Refresh(std::stop_token{});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "auth") << r.message;
  EXPECT_EQ(r.message.find("definitely-wrong-secret"), std::string::npos);
}

TEST_F(S3Integration, MissingBucketIsAnHttpError) {
  S3Spec spec = Spec();
  spec.buckets = {{"pulse-no-such-bucket", {""}}};
  S3Target target(spec, std::chrono::seconds(10), testing::SharedHttpClient());
  const RefreshResult r = target.Refresh(std::stop_token{});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "http") << r.message;
  EXPECT_NE(r.message.find("NoSuchBucket"), std::string::npos) << r.message;
}

TEST(S3Location, PathAndVirtualHost) {
  S3Spec spec;
  spec.endpoint = "https://s3.eu-central-1.amazonaws.com";
  auto loc = LocateBucket(spec, "media");
  EXPECT_EQ(loc.base_url, "https://s3.eu-central-1.amazonaws.com");
  EXPECT_EQ(loc.host, "s3.eu-central-1.amazonaws.com");
  EXPECT_EQ(loc.path, "/media/");
  spec.virtual_host = true;
  spec.endpoint = "http://127.0.0.1:9000";
  loc = LocateBucket(spec, "media");
  EXPECT_EQ(loc.base_url, "http://media.127.0.0.1:9000");
  EXPECT_EQ(loc.host, "media.127.0.0.1:9000");
  EXPECT_EQ(loc.path, "/");
}

}  // namespace
}  // namespace pulse::exporter
