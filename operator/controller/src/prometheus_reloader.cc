#include "pulse/controller/prometheus_reloader.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "pulse/http/client.h"
#include "pulse/kube/time_format.h"

namespace pulse::controller {

using base::Status;
using base::StatusCode;

std::optional<double> FindSample(std::string_view page, std::string_view name) {
  std::size_t pos = 0;
  while (pos < page.size()) {
    std::size_t end = page.find('\n', pos);
    if (end == std::string_view::npos) end = page.size();
    const std::string_view line = page.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == ' ') {
      const std::string value(line.substr(name.size() + 1));
      char* parse_end = nullptr;
      const double v = std::strtod(value.c_str(), &parse_end);
      if (parse_end == value.c_str()) return std::nullopt;
      return v;
    }
  }
  return std::nullopt;
}

std::optional<std::pair<double, double>> ParseRuntimeInfo(std::string_view body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_object()) return std::nullopt;
  const nlohmann::json& data = doc["data"];
  if (!data.contains("reloadConfigSuccess") || !data["reloadConfigSuccess"].is_boolean() ||
      !data.contains("lastConfigTime") || !data["lastConfigTime"].is_string()) {
    return std::nullopt;
  }
  const auto at = kube::ParseTime(data["lastConfigTime"].get<std::string>());
  if (!at) return std::nullopt;
  const double seconds = std::chrono::duration<double>(at->time_since_epoch()).count();
  return std::make_pair(data["reloadConfigSuccess"].get<bool>() ? 1.0 : 0.0, seconds);
}

PrometheusReloader::PrometheusReloader(http::Client& http, PrometheusReloaderOptions options,
                                       base::Clock& clock)
    : http_(http), options_(std::move(options)), clock_(clock) {}

base::StatusOr<std::string> PrometheusReloader::Get(const std::string& path,
                                                    const std::string& accept) {
  http::Request req;
  req.url = options_.url + path;
  req.headers = {{"Accept", accept}};
  req.timeout = options_.request_timeout;
  auto resp = http_.Send(req);
  if (!resp.ok()) return resp.status();
  if (resp->status != 200) {
    return Status(resp->status == 404 ? StatusCode::kNotFound : StatusCode::kUnavailable,
                  "GET " + req.url + " answered " + std::to_string(resp->status));
  }
  return std::move(resp->body);
}

base::StatusOr<PrometheusReloader::ReloadMetrics> PrometheusReloader::ReadMetrics() {
  // The classic text format: no protobuf or OpenMetrics negotiation, no gzip.
  auto body = Get("/metrics", "text/plain;version=0.0.4");
  if (!body.ok()) {
    // A 404 here is not "try another endpoint": nothing is left to try.
    if (body.status().code() == StatusCode::kNotFound) {
      return Status(StatusCode::kUnavailable, body.status().message());
    }
    return body.status();
  }
  ReloadMetrics m;
  m.successful = FindSample(*body, "prometheus_config_last_reload_successful").value_or(-1);
  m.success_timestamp =
      FindSample(*body, "prometheus_config_last_reload_success_timestamp_seconds").value_or(-1);
  if (m.successful < 0 || m.success_timestamp < 0) {
    return Status(StatusCode::kDataLoss, options_.url +
                                             "/metrics lacks prometheus_config_last_reload_* "
                                             "(is it Prometheus?)");
  }
  return m;
}

base::StatusOr<PrometheusReloader::ReloadMetrics> PrometheusReloader::ReadRuntimeInfo() {
  auto body = Get("/api/v1/status/runtimeinfo", "application/json");
  if (!body.ok()) return body.status();  // kNotFound: the caller falls back to /metrics
  const auto parsed = ParseRuntimeInfo(*body);
  if (!parsed) {
    return Status(StatusCode::kDataLoss, options_.url +
                                             "/api/v1/status/runtimeinfo lacks "
                                             "reloadConfigSuccess/lastConfigTime (is it "
                                             "Prometheus?)");
  }
  return ReloadMetrics{parsed->first, parsed->second, /*whole_seconds=*/true};
}

base::StatusOr<PrometheusReloader::ReloadMetrics> PrometheusReloader::ReadReloadState() {
  if (!use_metrics_) {
    auto info = ReadRuntimeInfo();
    if (info.ok() || info.status().code() != StatusCode::kNotFound) return info;
    use_metrics_ = true;  // an older Prometheus, or something that serves only /metrics
  }
  return ReadMetrics();
}

base::StatusOr<ReloadResult> PrometheusReloader::Reload(base::Stopper& stop) {
  http::Request req;
  req.method = "POST";
  req.url = options_.url + "/-/reload";
  req.timeout = options_.request_timeout;
  auto resp = http_.Send(req);
  if (!resp.ok()) return resp.status();
  if (resp->status == 403 || resp->status == 405) {
    // Without --web.enable-lifecycle Prometheus refuses; no retry fixes a missing flag soon.
    return Status(StatusCode::kPermissionDenied,
                  "POST " + req.url + " answered " + std::to_string(resp->status) +
                      " (is Prometheus started with --web.enable-lifecycle?)");
  }
  if (resp->status >= 500) {
    // Prometheus answers 500 "failed to reload config: ..." for a config it rejects; check the
    // metric so that a 5xx of a proxy in front of it is not mistaken for a rejection.
    auto after = ReadReloadState();
    if (after.ok() && after->successful == 0) {
      std::string body = resp->body.substr(0, 2048);
      while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
      return Status(StatusCode::kFailedPrecondition, "Prometheus rejected the config: " + body);
    }
    return Status(StatusCode::kUnavailable,
                  "POST " + req.url + " answered " + std::to_string(resp->status));
  }
  if (resp->status != 200) {
    return Status(StatusCode::kUnavailable,
                  "POST " + req.url + " answered " + std::to_string(resp->status));
  }
  const auto deadline = clock_.Now() + options_.confirm_timeout;
  while (true) {
    auto after = ReadReloadState();
    if (!after.ok()) return after.status();
    if (after->successful == 0) {
      return Status(StatusCode::kFailedPrecondition,
                    "Prometheus answered 200 but reports prometheus_config_last_reload_successful"
                    " 0");
    }
    // Whole seconds cannot tell two reloads of one second apart: there, not older suffices.
    const bool current = after->whole_seconds
                             ? after->success_timestamp >= std::floor(last_confirmed_)
                             : after->success_timestamp > last_confirmed_;
    if (after->successful == 1 && current) {
      last_confirmed_ = after->success_timestamp;
      return ReloadResult{after->success_timestamp};
    }
    if (clock_.Now() >= deadline) {
      return Status(StatusCode::kDeadlineExceeded,
                    "reload not confirmed: Prometheus' last successful reload is older than the "
                    "last one confirmed");
    }
    if (clock_.Sleep(options_.confirm_poll, stop)) {
      return Status(StatusCode::kCancelled, "stopped");
    }
  }
}

}  // namespace pulse::controller
