// What every renderer takes: the validated objects plus the options that are not part of any
// custom resource (where Prometheus runs, where Secrets are mounted, cluster alert defaults). One
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

#include "pulse/model/alerts.h"
#include "pulse/model/api_monitor.h"
#include "pulse/model/duration.h"
#include "pulse/model/exporter.h"
#include "pulse/model/remote_write.h"

namespace pulse::render {

// For a Prometheus that runs outside the cluster: rendered as `api_server` + `tls_config` into
// every kubernetes_sd_config. Empty file fields are left out.
struct ExternalApiServer {
  std::string url;  // e.g. "https://127.0.0.1:6443"
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // A ServiceAccount token file, rendered as `authorization` (Bearer): how a Prometheus outside
  // the cluster authenticates its discovery when it has no client certificate.
  std::string bearer_token_file = {};
};

// Which part of the targets a Prometheus scrapes when they are split over `count` servers
// (scrape_sharding.h). count 1 (the default) is no sharding.
struct ShardSelector {
  std::uint32_t count = 1;
  std::uint32_t index = 0;
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
  // When set (pulse-operator run), they are read from one flat directory instead:
  // <credentials_dir>/<CredentialFileName(namespace, ref)>, the keys of the Secret the operator
  // generates with copies of the referenced values (as prometheus-operator does). Empty (the
  // default, and `render`): the secrets_dir layout above, output unchanged.
  std::string credentials_dir;
  // rule_files entry of prometheus.yml, relative to the config file's directory.
  std::string rule_files_glob = "rules/*.yaml";
  // scrape_config_files entries (paths or globs as Prometheus sees them): scrape jobs pulse does
  // not generate, such as the Helm chart's kubelet cAdvisor and node-exporter jobs. Empty = none.
  std::vector<std::string> scrape_config_files;
  // Alertmanager "host:port" targets; empty = no `alerting:` section.
  std::vector<std::string> alertmanagers;
  std::optional<ExternalApiServer> api_server;
  // The Service port pulse-exporter listens on (the operator creates the Service).
  std::string exporter_port_name = "metrics";
  // For a Prometheus without Kubernetes (deploy/docker-compose.yml): each Exporter's job scrapes
  // the static address <WorkloadName>:<port of kExporterListen> ("pulse-exporter-shop-db:9187",
  // the compose service's hostname) instead of discovering the Service the operator creates.
  // The labels stay those of the discovered target (minus pod), so rules and dashboards match.
  bool exporter_static_targets = false;
  // Cluster-wide alert settings (`--alert-defaults FILE`): between the built-in defaults of
  // the alert catalogue (pulse/model/alerts.h) and each object's own spec.alerts. The shared
  // ApiMonitor alerts use these; a monitor that differs gets one threshold series (or, for
  // `for` / severity / labels / runbook, a rule of its own).
  model::AlertDefaults alert_defaults;
  // `remote_write:` of every config (`--remote-write-config FILE`, remote_write_renderer.h);
  // unset = none, output unchanged.
  std::optional<model::RemoteWrite> remote_write;
  // Every scrape job keeps only the targets of this shard (scrape_sharding.h); set by
  // RenderShardedPrometheusConfigs. An empty rule_files_glob leaves rule_files out.
  ShardSelector shard;
};

struct RenderInputs {
  std::span<const model::ApiMonitor> api_monitors;
  std::span<const model::Exporter> exporters;
  RenderOptions options;
  // More objects, by pointer: rendered together with the two spans above. For a caller that
  // keeps its objects apart (the operator's accepted set) and would otherwise copy all of them
  // into one array for every render.
  std::span<const model::ApiMonitor* const> api_monitor_refs = {};
  std::span<const model::Exporter* const> exporter_refs = {};
};

// A rendered file: `path` is relative to the output directory ("prometheus.yml",
// "rules/apimonitor_shop_shop.yaml", "dashboards/overview.json").
struct RenderedFile {
  std::string path;
  std::string content;

  friend bool operator==(const RenderedFile&, const RenderedFile&) = default;
};

}  // namespace pulse::render
