// Telling Prometheus to load the files the config sync wrote, and confirming that it did.
//
// A 200 from POST /-/reload is not taken on trust: the reload is confirmed from Prometheus' own
// /metrics, where prometheus_config_last_reload_successful must be 1 and
// prometheus_config_last_reload_success_timestamp_seconds must have moved past the success
// this reloader confirmed last (so an earlier success is never mistaken for this one).
// Prometheus answers the POST only when the reload is over, so one read after it suffices; the
// value from before the POST is not read: with 2,000 scrape jobs and rule groups Prometheus'
// /metrics is 9 MB and takes ~0.45 s to gather and send, which a read before every reload
// added to each apply → loaded. (The first reload after start is confirmed by the flag alone.)
// Prometheus answers a config it rejects with 500 and keeps the previous config loaded; that is
// reported as kFailedPrecondition, which the config sync does not retry (the same files would
// be rejected again) until the content changes.
//
// Thread-safety: Reloader implementations are called from the config sync's one loop thread
// and are not thread-safe (PrometheusReloader keeps the last confirmed success).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

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
  };
  base::StatusOr<ReloadMetrics> ReadMetrics();

  http::Client& http_;
  const PrometheusReloaderOptions options_;
  base::Clock& clock_;
  double last_confirmed_ = -1;  // success timestamp of the last confirmed reload; -1: none yet
};

// The value of the first sample of `name` without labels in a Prometheus text exposition, or
// nullopt. Exposed for tests.
std::optional<double> FindSample(std::string_view page, std::string_view name);

}  // namespace pulse::controller
