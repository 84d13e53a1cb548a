#include <limits>

#include "decode.h"

namespace pulse::model::internal {
namespace {

void ReadCredentials(ObjectReader& parent, Credentials& out) {
  const json* v = parent.Field("credentials", true);
  if (v == nullptr) return;
  ObjectReader r(parent.sink(), *v, parent.Child("credentials"));
  if (const json* u = r.Field("username", true))
    ReadSecretKeySelector(r.sink(), *u, r.Child("username"), out.username);
  if (const json* p = r.Field("password", true))
    ReadSecretKeySelector(r.sink(), *p, r.Child("password"), out.password);
  r.Finish();
}

void ReadRabbitMq(ObjectReader& parent, std::optional<RabbitMqSpec>& out) {
  const json* v = parent.Field("rabbitmq");
  if (v == nullptr) return;
  RabbitMqSpec s;
  ObjectReader r(parent.sink(), *v, parent.Child("rabbitmq"));
  r.String("url", s.url, true);
  ReadCredentials(r, s.credentials);
  ReadTls(r, "tlsConfig", s.tls);
  r.StringList("vhosts", s.vhosts);
  r.StringList("deadLetterQueues", s.dead_letter_queues);
  r.String("deadLetterQueueRegex", s.dead_letter_queue_regex);
  r.Dur("refreshInterval", s.refresh_interval);
  r.Finish();
  out = std::move(s);
}

void ReadPostgreSql(ObjectReader& parent, std::optional<PostgreSqlSpec>& out) {
  const json* v = parent.Field("postgresql");
  if (v == nullptr) return;
  PostgreSqlSpec s;
  ObjectReader r(parent.sink(), *v, parent.Child("postgresql"));
  r.String("host", s.host, true);
  std::int64_t port = s.port;
  r.Int("port", 1, 65535, port);
  s.port = static_cast<std::int32_t>(port);
  r.Field("databases", true);
  r.StringList("databases", s.databases);
  static const std::vector<std::pair<std::string, std::string>> kSslModes = {
      {"disable", "disable"}, {"allow", "allow"},         {"prefer", "prefer"},
      {"require", "require"}, {"verify-ca", "verify-ca"}, {"verify-full", "verify-full"}};
  r.Enum("sslMode", kSslModes, s.ssl_mode);
  ReadCredentials(r, s.credentials);
  r.Dur("refreshInterval", s.refresh_interval);
  r.Dur("sizeRefreshInterval", s.size_refresh_interval);
  r.Finish();
  out = std::move(s);
}

void ReadS3(ObjectReader& parent, std::optional<S3Spec>& out) {
  const json* v = parent.Field("s3");
  if (v == nullptr) return;
  S3Spec s;
  ObjectReader r(parent.sink(), *v, parent.Child("s3"));
  r.String("endpoint", s.endpoint);
  r.String("region", s.region);
  r.Bool("pathStyle", s.path_style);
  r.Field("buckets", true);
  ForEach(r, "buckets", [&](const json& item, const std::string& path) {
    S3Bucket b;
    ObjectReader br(r.sink(), item, path);
    br.String("name", b.name, true);
    br.StringList("prefixes", b.prefixes);
    br.Finish();
    s.buckets.push_back(std::move(b));
  });
  if (const json* c = r.Field("credentials", true)) {
    ObjectReader cr(r.sink(), *c, r.Child("credentials"));
    if (const json* a = cr.Field("accessKeyId", true)) {
      ReadSecretKeySelector(cr.sink(), *a, cr.Child("accessKeyId"), s.credentials.access_key_id);
    }
    if (const json* k = cr.Field("secretAccessKey", true)) {
      ReadSecretKeySelector(cr.sink(), *k, cr.Child("secretAccessKey"),
                            s.credentials.secret_access_key);
    }
    cr.Finish();
  }
  ReadTls(r, "tlsConfig", s.tls);
  r.Dur("refreshInterval", s.refresh_interval);
  r.Finish();
  out = std::move(s);
}

}  // namespace

std::optional<Exporter> DecodeExporter(const json& object, const Source& source,
                                       std::vector<Error>& errors) {
  static const std::vector<std::pair<std::string, ExporterType>> kTypes = {
      {"rabbitmq", ExporterType::kRabbitMq},
      {"postgresql", ExporterType::kPostgreSql},
      {"s3", ExporterType::kS3}};
  ErrorSink sink(ObjectPrototype(object, source, kExporterKind));
  Exporter x;
  x.source = source;
  ObjectReader top(sink, object, "");
  top.Field("apiVersion");
  top.Field("kind");
  top.Field("status");
  ReadObjectMeta(top, x.metadata);
  if (const json* spec = top.Field("spec", true)) {
    ExporterSpec& s = x.spec;
    ObjectReader r(sink, *spec, "spec");
    r.Enum("type", kTypes, s.type, true);
    ReadRabbitMq(r, s.rabbitmq);
    ReadPostgreSql(r, s.postgresql);
    ReadS3(r, s.s3);
    r.String("image", s.image);
    ReadResources(r, "resources", s.resources);
    r.Dur("interval", s.interval);
    r.Dur("scrapeTimeout", s.scrape_timeout);
    ReadAlertOverrides(r, "alerts", AlertScope::kExporter, s.alerts);
    r.Finish();
  }
  top.Finish();
  if (!sink.empty()) {
    for (Error& e : sink.errors()) errors.push_back(std::move(e));
    return std::nullopt;
  }
  return x;
}

}  // namespace pulse::model::internal
