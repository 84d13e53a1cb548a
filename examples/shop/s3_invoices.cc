#include "s3_invoices.h"

#include <stdexcept>

#include "rabbitmq_management.h"  // ParseHttpUrl
#include "sigv4.h"

namespace pulse::demo::s3 {
namespace {

void CheckBucketName(const std::string& b) {
  bool ok = b.size() >= 3 && b.size() <= 63;
  for (char c : b) ok &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  if (!ok) throw std::invalid_argument("s3: \"" + b + "\" is not a valid bucket name");
}

}  // namespace

S3Invoices::S3Invoices(S3Options options)
    : options_(std::move(options)),
      http_(shop::ParseHttpUrl(options_.endpoint).first,
            shop::ParseHttpUrl(options_.endpoint).second) {
  CheckBucketName(options_.bucket);
  const auto [host, port] = shop::ParseHttpUrl(options_.endpoint);
  host_header_ = host + ":" + std::to_string(port);
}

HttpResult S3Invoices::Send(const std::string& method, const std::string& path,
                            const std::string& body) {
  SigV4Request r;
  r.method = method;
  r.canonical_uri = path;
  r.payload_sha256_hex = Sha256Hex(body);
  r.amz_date = AmzDateNow();
  r.access_key = options_.access_key;
  r.secret_key = options_.secret_key;
  r.region = options_.region;
  // HttpClient sends "Host: host:port", the same value signed here.
  r.headers = {{"host", host_header_},
               {"x-amz-content-sha256", r.payload_sha256_hex},
               {"x-amz-date", r.amz_date}};
  const std::string auth = Authorization(r);
  std::lock_guard<std::mutex> lock(mu_);
  return http_.Request(method, path, body,
                       {{"Authorization", auth},
                        {"x-amz-content-sha256", r.payload_sha256_hex},
                        {"x-amz-date", r.amz_date}});
}

void S3Invoices::EnsureBucket() {
  const HttpResult r = Send("PUT", "/" + options_.bucket, "");
  if (r.ok()) return;
  if (r.status == 409) return;  // BucketAlreadyOwnedByYou / BucketAlreadyExists
  throw std::runtime_error("s3: create bucket " + options_.bucket + ": " +
                           (r.status ? std::to_string(r.status) + " " + r.body : r.error));
}

void S3Invoices::Put(const std::string& key, const std::string& body) {
  const std::string path = "/" + options_.bucket + "/" + UriEncode(key, false);
  const HttpResult r = Send("PUT", path, body);
  if (!r.ok()) {
    throw std::runtime_error("s3: put " + key + ": " +
                             (r.status ? std::to_string(r.status) + " " + r.body : r.error));
  }
}

std::optional<std::string> S3Invoices::Get(const std::string& key) {
  const std::string path = "/" + options_.bucket + "/" + UriEncode(key, false);
  const HttpResult r = Send("GET", path, "");
  if (r.status == 404) return std::nullopt;
  if (!r.ok()) {
    throw std::runtime_error("s3: get " + key + ": " +
                             (r.status ? std::to_string(r.status) + " " + r.body : r.error));
  }
  return r.body;
}

}  // namespace pulse::demo::s3
