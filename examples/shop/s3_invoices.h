// Invoices for the shop's orders, written to an S3 bucket (path-style requests, SigV4).
//
// Thread-safe: a mutex serialises the one HTTP connection.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "pulse/demo/http_client.h"
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
  HttpResult Send(const std::string& method, const std::string& path, const std::string& body);

  S3Options options_;
  std::string host_header_;
  std::mutex mu_;
  HttpClient http_;
};

}  // namespace pulse::demo::s3
