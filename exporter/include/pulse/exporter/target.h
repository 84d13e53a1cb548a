// One monitored system (a RabbitMQ cluster, a PostgreSQL server, a set of S3 buckets). A Target
// is driven by exactly one TargetRunner thread, so implementations need not be thread-safe.
#pragma once

#include <stop_token>
#include <string>

#include "pulse/base/status.h"
#include "pulse/exporter/metric_set.h"

namespace pulse::exporter {

// Reasons a refresh fails; the label values of pulse_exporter_refresh_errors_total.
namespace reason {
inline constexpr const char* kConnect = "connect";
inline constexpr const char* kTimeout = "timeout";
inline constexpr const char* kAuth = "auth";
inline constexpr const char* kHttp = "http";
inline constexpr const char* kParse = "parse";
inline constexpr const char* kQuery = "query";
inline constexpr const char* kCredentials = "credentials";
inline constexpr const char* kInternal = "internal";  // an unexpected exception (a bug)
}  // namespace reason

// The reason label for an HTTP exchange that failed without an answer (pulse::http's Status):
// the same label values the exporter has always used, so dashboards and alerts keep working.
inline const char* ReasonForHttpError(base::StatusCode code) {
  switch (code) {
    case base::StatusCode::kDeadlineExceeded:
      return reason::kTimeout;
    case base::StatusCode::kUnavailable:
      return reason::kConnect;
    default:
      return reason::kHttp;  // body too large, cancelled, malformed URL
  }
}

struct RefreshResult {
  bool ok = false;
  MetricSet metrics;    // complete set of the target's samples when ok
  std::string reason;   // one of reason::* when !ok
  std::string message;  // human-readable, never contains a secret
  static RefreshResult Failure(std::string reason, std::string message) {
    RefreshResult r;
    r.reason = std::move(reason);
    r.message = std::move(message);
    return r;
  }
};

class Target {
 public:
  virtual ~Target() = default;
  // Contacts the system and returns a complete snapshot, or why it could not. Each request is
  // bounded by the configured timeout; long multi-request refreshes check `stop` between
  // requests (shutdown). Never throws.
  virtual RefreshResult Refresh(std::stop_token stop) = 0;
};

}  // namespace pulse::exporter
