// Telling Prometheus to load the files the config sync wrote, and confirming that it did.
//
// Prometheus answers POST /-/reload only when the reload is over: 200 when it loaded the
// files, 500 "failed to reload config: ..." when it rejected them (it then keeps the previous
// config). The 200 is not taken on trust alone (a proxy may answer it): one read after the
// POST must show Prometheus' own view, prometheus_config_last_reload_successful = 1 and a
// success time not older than the reload this reloader confirmed last (so an earlier success
// is never mistaken for this one where the clock can tell them apart). The read is
// /api/v1/status/runtimeinfo (reloadConfigSuccess, lastConfigTime): ~350 bytes, where
// Prometheus' /metrics with 2,000 scrape jobs and rule groups is 9 MB and took ~0.45 s to
// gather, send and scan on every apply → loaded. runtimeinfo gives the time in whole seconds,
// so there the check is "not older" rather than "newer"; a server without runtimeinfo (404) is
// read through /metrics from then on, with the strict "newer" check. (The first reload after
// start is confirmed by the flag alone.) A rejected config is reported as kFailedPrecondition,
// which the config sync does not retry (the same files would be rejected again) until the
// content changes.
//
// Thread-safety: Reloader implementations are called from the config sync's one loop thread
// and are not thread-safe (PrometheusReloader keeps the last confirmed success).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "pulse/base/clock.h"
#include "pulse/base/status.h"

namespace pulse::http {
class Client;
}

namespace pulse::controller {

struct ReloadResult {
  // Prometheus' prometheus_config_last_reload_success_timestamp_seconds after the reload.
  double success_timestamp_seconds = 0;
};

class Reloader {
 public:
  virtual ~Reloader() = default;
  // Makes Prometheus load its config files now. OK: loaded, confirmed. kFailedPrecondition:
  // Prometheus rejected the config and keeps the previous one (retrying cannot help).
  // Retriable codes (kUnavailable, kDeadlineExceeded, kDataLoss): Prometheus unreachable or the
  // reload unconfirmed; try again later. kCancelled: `stop` fired.
  virtual base::StatusOr<ReloadResult> Reload(base::Stopper& stop) = 0;
};

struct PrometheusReloaderOptions {
  std::string url = "http://127.0.0.1:9090";  // Prometheus' base URL (no trailing /)
  // How long /metrics may take to show the reload after a 200 (Prometheus updates the metrics
  // before it answers, so this is slack for proxies and clock oddities) and how often to look.
  std::chrono::milliseconds confirm_timeout{5000};
  std::chrono::milliseconds confirm_poll{100};
  // Per request; a reload of a large config (many rule files) can take seconds.
  std::chrono::milliseconds request_timeout{60000};
};

class PrometheusReloader final : public Reloader {
 public:
  // `http` and `clock` must outlive the reloader.
  PrometheusReloader(http::Client& http, PrometheusReloaderOptions options,
                     base::Clock& clock = base::DefaultClock());
  base::StatusOr<ReloadResult> Reload(base::Stopper& stop) override;

 private:
  struct ReloadMetrics {
    double successful = -1;  // -1: absent
    double success_timestamp = -1;
    bool whole_seconds = false;  // the timestamp came from runtimeinfo (truncated)
  };
  // GET options_.url + path; kNotFound for a 404, kUnavailable for other non-200 answers.
  base::StatusOr<std::string> Get(const std::string& path, const std::string& accept);
  // runtimeinfo, or /metrics once runtimeinfo turned out not to be served.
  base::StatusOr<ReloadMetrics> ReadReloadState();
  base::StatusOr<ReloadMetrics> ReadMetrics();
  // kNotFound: the server has no runtimeinfo endpoint.
  base::StatusOr<ReloadMetrics> ReadRuntimeInfo();

  http::Client& http_;
  const PrometheusReloaderOptions options_;
  base::Clock& clock_;
  double last_confirmed_ = -1;  // success timestamp of the last confirmed reload; -1: none yet
  bool use_metrics_ = false;    // runtimeinfo answered 404
};

// Prometheus' runtimeinfo answer: reloadConfigSuccess and lastConfigTime (RFC 3339) as
// {successful 0/1, seconds since the epoch}; nullopt when the body is not that. Exposed for
// tests.
std::optional<std::pair<double, double>> ParseRuntimeInfo(std::string_view body);

// The value of the first sample of `name` without labels in a Prometheus text exposition, or
// nullopt. Exposed for tests.
std::optional<double> FindSample(std::string_view page, std::string_view name);

}  // namespace pulse::controller
