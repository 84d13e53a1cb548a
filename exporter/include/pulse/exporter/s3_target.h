// S3 target: lists every configured bucket/prefix with ListObjectsV2 (following continuation
// tokens), signing each request with SigV4, and exports bytes and object counts plus the cost of
// the refresh. Not thread-safe; driven by one TargetRunner.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "pulse/exporter/config.h"
#include "pulse/exporter/target.h"
#include "pulse/http/client.h"

namespace pulse::exporter {

class S3Target : public Target {
 public:
  using UnixClock = std::function<long long()>;
  S3Target(S3Spec spec, Duration timeout, std::shared_ptr<http::Client> http,
           UnixClock clock = nullptr);
  RefreshResult Refresh(std::stop_token stop) override;

 private:
  S3Spec spec_;
  Duration timeout_;
  std::shared_ptr<http::Client> http_;
  UnixClock clock_;
  double requests_total_ = 0;  // cumulative cost counters
  double objects_total_ = 0;
};

// Host, path prefix and URL base for a bucket under the configured addressing (pure).
struct S3Location {
  std::string base_url;  // scheme://host[:port]
  std::string host;      // Host header value (with :port when not default)
  std::string path;      // "/" (virtual host) or "/bucket/" (path style), encoded
};
S3Location LocateBucket(const S3Spec& spec, const std::string& bucket);

}  // namespace pulse::exporter
