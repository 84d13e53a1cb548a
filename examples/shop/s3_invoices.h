// Invoices for the shop's orders, written to an S3 bucket (path-style requests signed with
// pulse::http's SigV4, sent with pulse::http::Client).
//
// Thread-safe: pulse::http::Client is, and the rest is immutable after construction.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "pulse/http/client.h"
#include "shop_service.h"

namespace pulse::demo::s3 {

struct S3Options {
  std::string endpoint;  // "http://host:port" (plain HTTP: the demo's S3 runs on loopback)
  std::string bucket = "shop-invoices";
  std::string access_key, secret_key;
  std::string region = "us-east-1";
};

class S3Invoices : public shop::Invoices {
 public:
  // Throws std::invalid_argument for a malformed endpoint or bucket name.
  explicit S3Invoices(S3Options options);
  // Creates the bucket unless it exists. Throws std::runtime_error with S3's answer.
  void EnsureBucket();
  void Put(const std::string& key, const std::string& body) override;
  // The object's body, nullopt when it does not exist. Throws on other failures.
  std::optional<std::string> Get(const std::string& key);

 private:
  // The answer, or std::runtime_error naming `what` when there was none.
  http::Response Send(const std::string& method, const std::string& path, const std::string& body,
                      const std::string& what);

  S3Options options_;
  std::string host_;  // host[:port] of the endpoint: the signed Host header
  std::unique_ptr<http::Client> http_;
};

}  // namespace pulse::demo::s3
