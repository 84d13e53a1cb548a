// What every renderer takes: the validated objects plus the options that are not part of any
// custom resource (where Prometheus runs, where Secrets are mounted, alert thresholds). One
// struct instead of a list of parameters so a new option never changes a signature.
//
// The objects must have passed pulse::model::Validate(); renderers do not re-check them (they
// stay memory-safe and write syntactically valid text for any input, but may produce a config
// Prometheus rejects when given invalid objects).
//
// Thread-safety: plain values; RenderInputs only views the objects (spans), which must outlive
// the render call.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pulse/model/api_monitor.h"
#include "pulse/model/duration.h"
#include "pulse/model/exporter.h"

namespace pulse::render {

// For a Prometheus that runs outside the cluster: rendered as `api_server` + `tls_config` into
// every kubernetes_sd_config. Empty file fields are left out.
struct ExternalApiServer {
  std::string url;  // e.g. "https://127.0.0.1:6443"
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

// Thresholds of the infrastructure alerts (the Exporter CRD has no fields for them yet).
struct AlertThresholds {
  // Unacknowledged (in-flight) messages in one queue above this for `in_flight_for`.
  std::int64_t in_flight_messages = 1000;
  model::Duration in_flight_for = model::MakeDuration("15m");
  // Dead-letter queue growing (any increase over the window) for this long.
  model::Duration dead_letter_growth_window = model::MakeDuration("10m");
  model::Duration dead_letter_for = model::MakeDuration("10m");
  // Client connections above this fraction of max_connections.
  double connections_ratio = 0.8;
  model::Duration connections_for = model::MakeDuration("10m");
  // Database / bucket size grew by more than this fraction within `growth_window`.
  double size_growth_ratio = 0.2;
  model::Duration growth_window = model::MakeDuration("1h");
  // An API or exporter scrape target (or an exporter's upstream) down for this long.
  model::Duration target_down_for = model::MakeDuration("5m");
  // Without an SLO block: the API's 5xx ratio above this / overall p99 above this.
  double error_ratio = 0.05;
  model::Duration error_ratio_for = model::MakeDuration("10m");
  double latency_p99_seconds = 1.0;
  model::Duration latency_for = model::MakeDuration("10m");
};

struct RenderOptions {
  // `global:` of prometheus.yml.
  model::Duration scrape_interval = model::MakeDuration("30s");
  model::Duration scrape_timeout = model::MakeDuration("10s");
  model::Duration evaluation_interval = model::MakeDuration("30s");
  std::map<std::string, std::string> external_labels;
  // Secret keys referenced for TLS/auth are read by Prometheus from
  // <secrets_dir>/<namespace>/<secret>/<key>; whoever runs Prometheus mounts them there.
  std::string secrets_dir = "/etc/prometheus/secrets";
  // rule_files entry of prometheus.yml, relative to the config file's directory.
  std::string rule_files_glob = "rules/*.yaml";
  // Alertmanager "host:port" targets; empty = no `alerting:` section.
  std::vector<std::string> alertmanagers;
  std::optional<ExternalApiServer> api_server;
  // The Service port pulse-exporter listens on (the operator creates the Service).
  std::string exporter_port_name = "metrics";
  AlertThresholds thresholds;
};

struct RenderInputs {
  std::span<const model::ApiMonitor> api_monitors;
  std::span<const model::Exporter> exporters;
  RenderOptions options;
};

// A rendered file: `path` is relative to the output directory ("prometheus.yml",
// "rules/apimonitor_shop_shop.yaml", "dashboards/overview.json").
struct RenderedFile {
  std::string path;
  std::string content;

  friend bool operator==(const RenderedFile&, const RenderedFile&) = default;
};

}  // namespace pulse::render
