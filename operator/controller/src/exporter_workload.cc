#include "pulse/controller/exporter_workload.h"

#include <algorithm>

#include "pulse/controller/delivery.h"
#include "pulse/render/exporter_config_renderer.h"

namespace pulse::controller {
namespace {

constexpr const char* kConfigFile = "config.yaml";

Json OwnerReference(const model::Exporter& e, const std::string& uid) {
  return Json::array({{{"apiVersion", "monitoring.pulse.dev/v1alpha1"},
                       {"kind", model::kExporterKind},
                       {"name", e.metadata.name},
                       {"uid", uid},
                       {"controller", true},
                       {"blockOwnerDeletion", true}}});
}

Json ObjectMeta(const model::Exporter& e, const std::string& uid) {
  Json labels = ExporterSelectorLabels(e);
  labels[kManagedByLabel] = kManagedByValue;
  labels[kComponentLabel] = "exporter";
  return {{"name", model::WorkloadName(e)},
          {"namespace", e.metadata.namespace_},
          {"labels", labels},
          {"ownerReferences", OwnerReference(e, uid)}};
}

// Secret-backed TLS files as one projected volume: one source per Secret, one item per key.
Json TlsVolume(const std::vector<render::ExporterSecretFile>& files, const std::string& tls_dir) {
  std::map<std::string, Json> by_secret;
  for (const auto& f : files) {
    std::string rel = f.path.substr(std::min(f.path.size(), tls_dir.size() + 1));
    by_secret[f.secret.name].push_back({{"key", f.secret.key}, {"path", rel}});
  }
  Json sources = Json::array();
  for (auto& [name, items] : by_secret) {
    sources.push_back({{"secret", {{"name", name}, {"items", items}}}});
  }
  return {{"name", "tls"}, {"projected", {{"sources", sources}, {"defaultMode", 0440}}}};
}

}  // namespace

std::map<std::string, std::string> ExporterSelectorLabels(const model::Exporter& e) {
  return {{"app.kubernetes.io/name", "pulse-exporter"},
          {"app.kubernetes.io/instance", e.metadata.name}};
}

ExporterWorkload BuildExporterWorkload(const model::Exporter& e, const std::string& uid,
                                       const std::string& config_text,
                                       const ExporterWorkloadOptions& options) {
  ExporterWorkload out;
  out.config_hash = ContentHash(config_text);
  const std::string name = model::WorkloadName(e);

  out.config_map = {{"apiVersion", "v1"},
                    {"kind", "ConfigMap"},
                    {"metadata", ObjectMeta(e, uid)},
                    {"data", {{kConfigFile, config_text}}}};
  out.config_map["metadata"]["annotations"] = {{kContentHashAnnotation, out.config_hash}};

  Json env = Json::array();
  for (const auto& v : render::ExporterEnvVars(e)) {
    env.push_back(
        {{"name", v.name},
         {"valueFrom", {{"secretKeyRef", {{"name", v.secret.name}, {"key", v.secret.key}}}}}});
  }
  const auto tls_files = render::ExporterSecretFiles(e);
  Json volumes =
      Json::array({{{"name", "config"}, {"configMap", {{"name", name}, {"defaultMode", 0444}}}}});
  Json mounts =
      Json::array({{{"name", "config"}, {"mountPath", options.config_dir}, {"readOnly", true}}});
  if (!tls_files.empty()) {
    volumes.push_back(TlsVolume(tls_files, render::kExporterTlsDir));
    mounts.push_back({{"name", "tls"}, {"mountPath", render::kExporterTlsDir}, {"readOnly", true}});
  }
  Json resources = {{"requests", options.default_requests}, {"limits", options.default_limits}};
  if (!e.spec.resources.requests.empty() || !e.spec.resources.limits.empty()) {
    resources = Json::object();
    if (!e.spec.resources.requests.empty()) resources["requests"] = e.spec.resources.requests;
    if (!e.spec.resources.limits.empty()) resources["limits"] = e.spec.resources.limits;
  }
  const Json probe_port = "metrics";
  Json container = {
      {"name", "pulse-exporter"},
      {"image", e.spec.image.empty() ? options.default_image : e.spec.image},
      {"imagePullPolicy", options.image_pull_policy},
      {"args", {"--config", options.config_dir + "/" + kConfigFile}},
      {"ports", {{{"name", "metrics"}, {"containerPort", options.port}, {"protocol", "TCP"}}}},
      {"env", env},
      {"volumeMounts", mounts},
      {"resources", resources},
      {"livenessProbe",
       {{"httpGet", {{"path", "/healthz"}, {"port", probe_port}}}, {"periodSeconds", 20}}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/readyz"}, {"port", probe_port}}}, {"periodSeconds", 10}}},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"readOnlyRootFilesystem", true},
        {"runAsNonRoot", true},
        {"capabilities", {{"drop", {"ALL"}}}}}}};
  const auto selector = ExporterSelectorLabels(e);
  Json pod_labels = selector;
  pod_labels[kManagedByLabel] = kManagedByValue;
  out.deployment = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", ObjectMeta(e, uid)},
      {"spec",
       {{"replicas", 1},
        {"selector", {{"matchLabels", selector}}},
        {"template",
         {{"metadata",
           {{"labels", pod_labels},
            // A new config rolls the pod: the exporter reads its config once at start.
            {"annotations", {{"monitoring.pulse.dev/config-hash", out.config_hash}}}}},
          {"spec",
           {{"automountServiceAccountToken", false},
            {"securityContext",
             {{"runAsNonRoot", true},
              {"runAsUser", options.run_as_user},
              {"runAsGroup", options.run_as_user},
              {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
            {"containers", Json::array({container})},
            {"volumes", volumes}}}}}}}};
  out.service = {{"apiVersion", "v1"},
                 {"kind", "Service"},
                 {"metadata", ObjectMeta(e, uid)},
                 {"spec",
                  {{"selector", selector},
                   {"ports",
                    {{{"name", "metrics"},
                      {"port", options.port},
                      {"targetPort", "metrics"},
                      {"protocol", "TCP"}}}}}}};
  return out;
}

}  // namespace pulse::controller
