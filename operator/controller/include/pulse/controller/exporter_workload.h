// What the operator creates for one Exporter custom resource, as pure functions: a ConfigMap
// with the rendered pulse-exporter config (credentials are never in it: the config names
// environment variables, which the Deployment fills from the referenced Secrets), a Deployment
// running pulse-exporter, and a Service with a `metrics` port that the rendered scrape job
// discovers. All three are owned by the Exporter (ownerReferences with controller: true), so the
// garbage collector removes them with it.
//
// Thread-safety: pure functions over plain values.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pulse/model/exporter.h"

namespace pulse::controller {

using Json = nlohmann::json;

struct ExporterWorkloadOptions {
  std::string default_image = "ghcr.io/pulse-dev/pulse-exporter:0.1.0";
  std::string image_pull_policy = "IfNotPresent";
  // Where the config ConfigMap is mounted; the file is <config_dir>/config.yaml.
  std::string config_dir = "/etc/pulse-exporter/config";
  int port = 9187;
  // Used when the Exporter leaves spec.resources empty.
  std::map<std::string, std::string> default_requests = {{"cpu", "10m"}, {"memory", "32Mi"}};
  std::map<std::string, std::string> default_limits = {{"memory", "128Mi"}};
  int run_as_user = 65532;  // a non-root uid ("nonroot" in distroless-style images)
};

struct ExporterWorkload {
  Json config_map;
  Json deployment;
  Json service;
  std::string config_hash;  // SHA-256 of the config text; a pod template annotation
};

// `uid` is the Exporter's metadata.uid (ownerReferences need it). `config_text` is
// render::RenderExporterConfig(exporter) as rendered for in-cluster use.
ExporterWorkload BuildExporterWorkload(const model::Exporter& exporter, const std::string& uid,
                                       const std::string& config_text,
                                       const ExporterWorkloadOptions& options = {});

// The labels every workload object carries, and the Deployment/Service selector (a subset).
std::map<std::string, std::string> ExporterSelectorLabels(const model::Exporter& exporter);

}  // namespace pulse::controller
