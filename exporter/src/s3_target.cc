#include "pulse/exporter/s3_target.h"

#include <chrono>

#include "pulse/exporter/credentials.h"
#include "pulse/exporter/s3_list_parser.h"
#include "pulse/http/encoding.h"
#include "pulse/http/sigv4.h"

namespace pulse::exporter {
namespace {

namespace sigv4 = http::sigv4;
using http::PercentEncode;

constexpr int kMaxPagesPerPrefix = 1000000;  // 1e9 objects: a lying server cannot loop forever

}  // namespace

S3Location LocateBucket(const S3Spec& spec, const std::string& bucket) {
  S3Location loc;
  const std::size_t scheme_end = spec.endpoint.find("://");
  const std::string scheme = spec.endpoint.substr(0, scheme_end);
  std::string host = spec.endpoint.substr(scheme_end + 3);
  if (const auto slash = host.find('/'); slash != std::string::npos) host.resize(slash);
  if (spec.virtual_host) {
    loc.host = bucket + "." + host;
    loc.path = "/";
  } else {
    loc.host = host;
    loc.path = "/" + PercentEncode(bucket) + "/";
  }
  loc.base_url = scheme + "://" + loc.host;
  return loc;
}

S3Target::S3Target(S3Spec spec, Duration timeout, std::shared_ptr<http::Client> http,
                   UnixClock clock)
    : spec_(std::move(spec)), timeout_(timeout), http_(std::move(http)), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      return static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
    };
  }
}

RefreshResult S3Target::Refresh(std::stop_token stop) {
  const ResolvedCredential key = ResolveCredential(spec_.access_key_id);
  if (!key.ok) return RefreshResult::Failure(reason::kCredentials, "access_key_id: " + key.error);
  const ResolvedCredential secret = ResolveCredential(spec_.secret_access_key);
  if (!secret.ok) {
    return RefreshResult::Failure(reason::kCredentials, "secret_access_key: " + secret.error);
  }
  std::string token;
  if (spec_.session_token) {
    const ResolvedCredential t = ResolveCredential(*spec_.session_token);
    if (!t.ok) return RefreshResult::Failure(reason::kCredentials, "session_token: " + t.error);
    token = t.value;
  }
  static const std::string kEmptyHash = sigv4::Sha256Hex("");

  MetricSet metrics;
  auto& bytes_family =
      metrics.Family("pulse_s3_bucket_size_bytes", "Total size of the objects under the prefix.");
  auto& objects_family =
      metrics.Family("pulse_s3_bucket_objects", "Number of objects under the prefix.");
  RefreshResult failure;
  bool failed = false;
  for (const auto& bucket : spec_.buckets) {
    const S3Location loc = LocateBucket(spec_, bucket.name);
    for (const auto& prefix : bucket.prefixes) {
      std::uint64_t bytes = 0, objects = 0;
      std::string continuation;
      for (int page = 0; page < kMaxPagesPerPrefix && !failed; ++page) {
        if (stop.stop_requested()) return RefreshResult::Failure(reason::kTimeout, "stopping");
        sigv4::Request req;
        req.method = "GET";
        req.path = loc.path;
        req.query = {{"list-type", "2"}, {"max-keys", "1000"}};
        if (!prefix.empty()) req.query.push_back({"prefix", prefix});
        if (!continuation.empty()) req.query.push_back({"continuation-token", continuation});
        sigv4::Signing signing{key.value, secret.value, spec_.region, "s3",
                               sigv4::AmzDate(clock_())};
        req.headers = {{"host", loc.host},
                       {"x-amz-content-sha256", kEmptyHash},
                       {"x-amz-date", signing.amz_date}};
        if (!token.empty()) req.headers.push_back({"x-amz-security-token", token});
        req.payload_hash = kEmptyHash;
        http::Request http_req;
        http_req.url = loc.base_url + loc.path + "?" + sigv4::CanonicalQuery(req.query);
        http_req.timeout = timeout_;
        http_req.headers = req.headers;
        http_req.headers.push_back({"Authorization", sigv4::Authorization(req, signing)});
        const std::string where =
            "bucket " + bucket.name + (prefix.empty() ? "" : " prefix " + prefix.substr(0, 80));
        requests_total_ += 1;
        auto sent = http_->Send(http_req);
        if (!sent.ok()) {
          failure = RefreshResult::Failure(ReasonForHttpError(sent.status().code()),
                                           where + ": " + sent.status().message());
          failed = true;
          break;
        }
        http::Response& resp = sent.value();
        if (resp.status != 200) {
          s3::ErrorBody err;
          const bool parsed = s3::ParseErrorBody(resp.body, &err);
          static const std::vector<std::string> kAuthCodes = {
              "SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied",
              "ExpiredToken",          "InvalidToken",       "AuthorizationHeaderMalformed",
              "RequestTimeTooSkewed"};
          bool auth = resp.status == 401 || resp.status == 403;
          for (const auto& c : kAuthCodes) auth = auth || (parsed && err.code == c);
          failure = RefreshResult::Failure(
              auth ? reason::kAuth : reason::kHttp,
              where + ": HTTP " + std::to_string(resp.status) +
                  (parsed ? " " + err.code + (err.message.empty() ? "" : ": " + err.message) : ""));
          failed = true;
          break;
        }
        s3::ListPage listing;
        std::string error;
        if (!s3::ParseListPage(resp.body, &listing, &error)) {
          failure = RefreshResult::Failure(reason::kParse, where + ": " + error);
          failed = true;
          break;
        }
        bytes += listing.bytes;
        objects += listing.objects;
        objects_total_ += static_cast<double>(listing.objects);
        if (!listing.truncated) break;
        if (listing.next_continuation_token == continuation) {
          failure = RefreshResult::Failure(reason::kParse,
                                           where + ": server repeated the continuation token");
          failed = true;
          break;
        }
        continuation = listing.next_continuation_token;
      }
      if (failed) break;
      const LabelPairs labels = {{"bucket", bucket.name}, {"prefix", prefix}};
      bytes_family.samples.push_back({labels, static_cast<double>(bytes)});
      objects_family.samples.push_back({labels, static_cast<double>(objects)});
    }
    if (failed) break;
  }
  if (failed) return failure;
  metrics.Add("pulse_s3_list_requests_total", "ListObjectsV2 requests sent.", {}, requests_total_,
              MetricKind::kCounter);
  metrics.Add("pulse_s3_listed_objects_total", "Objects listed.", {}, objects_total_,
              MetricKind::kCounter);
  RefreshResult result;
  result.ok = true;
  result.metrics = std::move(metrics);
  return result;
}

}  // namespace pulse::exporter
