// The pulse-exporter config file (docs/exporter.md, "Configuration") for one Exporter custom
// resource: the operator runs each Exporter as a Deployment whose container reads this file.
//
// Secrets are never rendered. The Deployment that runs the exporter must provide:
//   * every credential as an environment variable: ExporterEnvVars() lists the variable name and
//     the Secret key it comes from (`env[].valueFrom.secretKeyRef`). Names are fixed per field:
//     PULSE_<TYPE>_<FIELD>, e.g. PULSE_RABBITMQ_PASSWORD, PULSE_S3_SECRET_ACCESS_KEY — one
//     exporter per pod, so they never clash, and they do not change when a Secret is renamed.
//   * every TLS file at a fixed path under ExporterConfigOptions::tls_dir: ExporterSecretFiles()
//     lists path -> Secret key (a projected volume with one item per entry). File names follow
//     the kubernetes.io/tls convention: ca.crt, tls.crt, tls.key.
// `pulse-exporter --check --config FILE` with those variables and files present accepts every
// rendered config (tests/render/exporter_config_check_test.sh).
//
// Pure and deterministic: no I/O, the same object gives the same bytes. The object must have
// passed pulse::model::Validate(); its limits and the exporter's are the same constants
// (pulse/base/exporter_limits.h), so a valid object always renders a config the exporter accepts
// (tests/render/exporter_config_roundtrip_test.cc).
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "pulse/model/common_types.h"
#include "pulse/model/exporter.h"
#include "pulse/render/render_inputs.h"

namespace pulse::render {

// Where the exporter Deployment mounts TLS material (a directory of its own, read-only).
inline constexpr const char* kExporterTlsDir = "/etc/pulse-exporter/tls";
// The address the exporter listens on inside its pod (the Service targets this port).
inline constexpr const char* kExporterListen = "0.0.0.0:9187";

struct ExporterConfigOptions {
  std::string listen = kExporterListen;
  std::string tls_dir = kExporterTlsDir;  // absolute, no trailing '/'
};

// One credential the exporter reads from its environment.
struct ExporterEnvVar {
  std::string name;                 // e.g. "PULSE_POSTGRESQL_PASSWORD"
  model::SecretKeySelector secret;  // in the Exporter's namespace

  friend bool operator==(const ExporterEnvVar& a, const ExporterEnvVar& b) {
    return a.name == b.name && a.secret.name == b.secret.name && a.secret.key == b.secret.key;
  }
};

// One TLS file the exporter reads; the Deployment mounts `secret` at `path`.
struct ExporterSecretFile {
  std::string path;  // absolute, under ExporterConfigOptions::tls_dir
  model::SecretKeySelector secret;

  friend bool operator==(const ExporterSecretFile& a, const ExporterSecretFile& b) {
    return a.path == b.path && a.secret.name == b.secret.name && a.secret.key == b.secret.key;
  }
};

// The environment variables the rendered config references, sorted by name.
std::vector<ExporterEnvVar> ExporterEnvVars(const model::Exporter& exporter);

// The TLS files the rendered config references, sorted by path (empty without tlsConfig).
std::vector<ExporterSecretFile> ExporterSecretFiles(const model::Exporter& exporter,
                                                    const ExporterConfigOptions& options = {});

// The config file's text: one target named after the object, its refresh interval, and the
// type's block; credentials as {env: ...}, TLS files as paths under options.tls_dir.
std::string RenderExporterConfig(const model::Exporter& exporter,
                                 const ExporterConfigOptions& options = {});

// "exporters/<namespace>/<name>.yaml" (path components escaped with SafePathComponent).
std::string ExporterConfigPath(const model::Exporter& exporter);

// One file per Exporter at ExporterConfigPath, sorted by path. What `pulse-operator render`
// writes beside prometheus.yml.
std::vector<RenderedFile> RenderExporterConfigs(std::span<const model::Exporter> exporters,
                                                const ExporterConfigOptions& options = {});

}  // namespace pulse::render
