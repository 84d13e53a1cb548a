#include "pulse/render/exporter_config_renderer.h"

#include <algorithm>
#include <chrono>

#include "pulse/base/duration.h"
#include "pulse/base/exporter_limits.h"
#include "pulse/render/text_escape.h"
#include "pulse/render/yaml_writer.h"
#include "render_common.h"

namespace pulse::render {
namespace {

using detail::DurationText;

namespace limits = base::exporter_limits;

// Env var names: PULSE_<TYPE>_<FIELD>. One exporter per pod, so the type is enough to keep
// them apart; tied to the CR's field, never to the Secret's name, so they are stable.
constexpr const char* kRabbitMqUsername = "PULSE_RABBITMQ_USERNAME";
constexpr const char* kRabbitMqPassword = "PULSE_RABBITMQ_PASSWORD";
constexpr const char* kPostgreSqlUsername = "PULSE_POSTGRESQL_USERNAME";
constexpr const char* kPostgreSqlPassword = "PULSE_POSTGRESQL_PASSWORD";
constexpr const char* kS3AccessKeyId = "PULSE_S3_ACCESS_KEY_ID";
constexpr const char* kS3SecretAccessKey = "PULSE_S3_SECRET_ACCESS_KEY";

// kubernetes.io/tls Secret key names, so a cert-manager Secret mounts under familiar names.
constexpr const char* kCaFile = "ca.crt";
constexpr const char* kCertFile = "tls.crt";
constexpr const char* kKeyFile = "tls.key";

const std::optional<model::TlsConfig>* TlsOf(const model::Exporter& x) {
  if (x.spec.rabbitmq) return &x.spec.rabbitmq->tls;
  if (x.spec.s3) return &x.spec.s3->tls;
  return nullptr;  // PostgreSQL has sslMode only (crds/exporter.yaml)
}

std::string TlsPath(const ExporterConfigOptions& options, const char* file) {
  return options.tls_dir + "/" + file;
}

// The refresh period of the type's block: the exporter target's `interval`.
model::Duration RefreshInterval(const model::ExporterSpec& s) {
  if (s.rabbitmq) return s.rabbitmq->refresh_interval;
  if (s.postgresql) return s.postgresql->refresh_interval;
  if (s.s3) return s.s3->refresh_interval;
  return {limits::kDefaultTimeout, ""};
}

void EnvCredential(YamlWriter& w, const char* key, const char* var) {
  w.Key(key);
  w.BeginMap();
  w.Key("env");
  w.String(var);
  w.EndMap();
}

void StringList(YamlWriter& w, const char* key, const std::vector<std::string>& items) {
  w.Key(key);
  w.BeginSeq();
  for (const auto& item : items) w.String(item);
  w.EndSeq();
}

void Tls(YamlWriter& w, const std::optional<model::TlsConfig>& tls,
         const ExporterConfigOptions& options) {
  if (!tls) return;
  w.Key("tls");
  w.BeginMap();
  if (tls->ca) {
    w.Key("ca_file");
    w.String(TlsPath(options, kCaFile));
  }
  if (tls->cert) {
    w.Key("cert_file");
    w.String(TlsPath(options, kCertFile));
  }
  if (tls->key) {
    w.Key("key_file");
    w.String(TlsPath(options, kKeyFile));
  }
  if (!tls->server_name.empty()) {
    w.Key("server_name");
    w.String(tls->server_name);
  }
  w.Key("insecure_skip_verify");
  w.Bool(tls->insecure_skip_verify);
  w.EndMap();
}

void RabbitMq(YamlWriter& w, const model::RabbitMqSpec& s, const ExporterConfigOptions& options) {
  w.Key("rabbitmq");
  w.BeginMap();
  w.Key("url");
  w.String(s.url);
  EnvCredential(w, "username", kRabbitMqUsername);
  EnvCredential(w, "password", kRabbitMqPassword);
  Tls(w, s.tls, options);
  if (!s.vhosts.empty()) StringList(w, "vhosts", s.vhosts);
  // The CR's names/regex *override* discovery (crds/exporter.yaml), so either one turns the
  // exporter's argument/policy/binding discovery off.
  if (!s.dead_letter_queues.empty() || !s.dead_letter_queue_regex.empty()) {
    w.Key("dead_letter_queues");
    w.BeginMap();
    if (!s.dead_letter_queues.empty()) StringList(w, "names", s.dead_letter_queues);
    if (!s.dead_letter_queue_regex.empty()) {
      w.Key("regex");
      w.String(s.dead_letter_queue_regex);
    }
    w.Key("discover");
    w.Bool(false);
    w.EndMap();
  }
  w.EndMap();
}

void PostgreSql(YamlWriter& w, const model::PostgreSqlSpec& s) {
  w.Key("postgresql");
  w.BeginMap();
  w.Key("host");
  w.String(s.host);
  w.Key("port");
  w.Int(s.port);
  EnvCredential(w, "user", kPostgreSqlUsername);
  EnvCredential(w, "password", kPostgreSqlPassword);
  // "The first is also used to connect" (crds/exporter.yaml).
  if (!s.databases.empty()) {
    w.Key("dbname");
    w.String(s.databases.front());
  }
  w.Key("sslmode");
  w.String(s.ssl_mode);
  w.Key("database_size_interval");
  w.String(DurationText(s.size_refresh_interval));
  StringList(w, "databases", s.databases);
  w.EndMap();
}

void S3(YamlWriter& w, const model::S3Spec& s, const ExporterConfigOptions& options) {
  w.Key("s3");
  w.BeginMap();
  // No endpoint: left out, and the exporter uses AWS's regional endpoint (DefaultS3Endpoint),
  // so the AWS default lives in one place.
  if (!s.endpoint.empty()) {
    w.Key("endpoint");
    w.String(s.endpoint);
  }
  w.Key("region");
  w.String(s.region);
  w.Key("addressing");
  w.String(s.path_style ? "path" : "virtual");
  EnvCredential(w, "access_key_id", kS3AccessKeyId);
  EnvCredential(w, "secret_access_key", kS3SecretAccessKey);
  Tls(w, s.tls, options);
  w.Key("buckets");
  w.BeginSeq();
  for (const auto& b : s.buckets) {
    w.BeginMap();
    w.Key("name");
    w.String(b.name);
    if (!b.prefixes.empty()) StringList(w, "prefixes", b.prefixes);
    w.EndMap();
  }
  w.EndSeq();
  w.EndMap();
}

// Text for the header comment: validated names are DNS labels already; anything else must not
// be able to end the comment line.
std::string CommentSafe(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 253)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '/';
    out += ok ? c : '?';
  }
  return out;
}

}  // namespace

std::vector<ExporterEnvVar> ExporterEnvVars(const model::Exporter& x) {
  std::vector<ExporterEnvVar> vars;
  if (x.spec.rabbitmq) {
    vars.push_back({kRabbitMqUsername, x.spec.rabbitmq->credentials.username});
    vars.push_back({kRabbitMqPassword, x.spec.rabbitmq->credentials.password});
  }
  if (x.spec.postgresql) {
    vars.push_back({kPostgreSqlUsername, x.spec.postgresql->credentials.username});
    vars.push_back({kPostgreSqlPassword, x.spec.postgresql->credentials.password});
  }
  if (x.spec.s3) {
    vars.push_back({kS3AccessKeyId, x.spec.s3->credentials.access_key_id});
    vars.push_back({kS3SecretAccessKey, x.spec.s3->credentials.secret_access_key});
  }
  std::sort(vars.begin(), vars.end(),
            [](const ExporterEnvVar& a, const ExporterEnvVar& b) { return a.name < b.name; });
  return vars;
}

std::vector<ExporterSecretFile> ExporterSecretFiles(const model::Exporter& x,
                                                    const ExporterConfigOptions& options) {
  std::vector<ExporterSecretFile> files;
  const std::optional<model::TlsConfig>* tls = TlsOf(x);
  if (tls == nullptr || !tls->has_value()) return files;
  const model::TlsConfig& t = **tls;
  if (t.ca) files.push_back({TlsPath(options, kCaFile), *t.ca});
  if (t.cert) files.push_back({TlsPath(options, kCertFile), *t.cert});
  if (t.key) files.push_back({TlsPath(options, kKeyFile), *t.key});
  std::sort(
      files.begin(), files.end(),
      [](const ExporterSecretFile& a, const ExporterSecretFile& b) { return a.path < b.path; });
  return files;
}

std::string RenderExporterConfig(const model::Exporter& x, const ExporterConfigOptions& options) {
  const model::ExporterSpec& s = x.spec;
  YamlWriter w;
  w.BeginMap();
  w.Key("listen");
  w.String(options.listen);
  w.Key("targets");
  w.BeginSeq();
  w.BeginMap();
  w.Key("name");
  w.String(x.metadata.name);
  w.Key("type");
  w.String(model::ExporterTypeName(s.type));
  const model::Duration interval = RefreshInterval(s);
  w.Key("interval");
  w.String(DurationText(interval));
  // Each request of a refresh is bounded by the exporter's default timeout, or by the period
  // when that is shorter, so a slow server cannot stack refreshes.
  w.Key("timeout");
  w.String(base::FormatDuration(std::min(interval.value, limits::kDefaultTimeout)));
  if (s.rabbitmq) RabbitMq(w, *s.rabbitmq, options);
  if (s.postgresql) PostgreSql(w, *s.postgresql);
  if (s.s3) S3(w, *s.s3, options);
  w.EndMap();
  w.EndSeq();
  w.EndMap();
  return "# pulse-exporter config for Exporter " + CommentSafe(x.metadata.namespace_) + "/" +
         CommentSafe(x.metadata.name) +
         ", rendered by pulse-operator; do not edit.\n"
         "# Credentials come from environment variables, TLS files from " +
         CommentSafe(options.tls_dir) + " (docs/exporter.md).\n" + w.Take();
}

std::string ExporterConfigPath(const model::Exporter& x) {
  return "exporters/" + SafePathComponent(x.metadata.namespace_) + "/" +
         SafePathComponent(x.metadata.name) + ".yaml";
}

std::vector<RenderedFile> RenderExporterConfigs(std::span<const model::Exporter> exporters,
                                                const ExporterConfigOptions& options) {
  std::vector<RenderedFile> files;
  files.reserve(exporters.size());
  for (const auto& x : exporters) {
    files.push_back({ExporterConfigPath(x), RenderExporterConfig(x, options)});
  }
  std::sort(files.begin(), files.end(),
            [](const RenderedFile& a, const RenderedFile& b) { return a.path < b.path; });
  return files;
}

}  // namespace pulse::render
