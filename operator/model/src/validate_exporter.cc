// Semantic checks of one Exporter (the rules are listed in docs/crds.md).
#include <set>

#include "checks.h"
#include "pulse/base/exporter_limits.h"
#include "pulse/base/url.h"
#include "pulse/model/validate.h"
#include "utf8.h"

namespace pulse::model {
namespace {

using internal::CheckDurationRange;
using internal::CheckMaxItems;
using internal::CheckMaxLength;
using internal::ErrorSink;
using internal::Index;
using internal::Join;
using internal::Printable;
using internal::Quote;
namespace limits = base::exporter_limits;

// Exporter names become "pulse-exporter-<name>" Services, which must fit in 63 characters.
constexpr std::size_t kMaxExporterName = 63 - 15;

struct Context {
  ErrorSink& sink;
  const std::string& ns;
  const std::vector<Secret>& secrets;
  const ValidateOptions& options;
  void Ref(const std::string& path, const SecretKeySelector& ref) const {
    internal::CheckSecretRef(sink, path, ref, ns, secrets, options.require_secrets);
  }
};

// The exporter's config parser applies the same check (pulse/base/url.h), so a URL accepted
// here is one pulse-exporter accepts. RabbitMQ's management API may sit under a path prefix
// (behind a proxy); an S3 endpoint may not (the bucket or key would be ambiguous).
void CheckUrl(ErrorSink& sink, const std::string& path, const std::string& url, bool allow_path) {
  if (const std::string why = base::CheckBaseUrl(url, allow_path); !why.empty()) {
    sink.Add(ErrorCode::kInvalidValue, path, Printable(url), Quote(url) + " " + why);
  }
}

void CheckRabbitMq(const Context& c, const RabbitMqSpec& s) {
  const std::string at = "spec.rabbitmq";
  CheckUrl(c.sink, Join(at, "url"), s.url, /*allow_path=*/true);
  c.Ref(Join(at, "credentials.username"), s.credentials.username);
  c.Ref(Join(at, "credentials.password"), s.credentials.password);
  if (s.tls)
    internal::CheckTls(c.sink, Join(at, "tlsConfig"), *s.tls, c.ns, c.secrets,
                       c.options.require_secrets);
  CheckMaxItems(c.sink, Join(at, "vhosts"), s.vhosts, limits::kMaxVhosts);
  for (std::size_t i = 0; i < s.vhosts.size(); ++i) {
    internal::CheckNonEmpty(c.sink, Index(Join(at, "vhosts"), i), s.vhosts[i]);
    CheckMaxLength(c.sink, Index(Join(at, "vhosts"), i), s.vhosts[i], limits::kMaxVhostBytes);
  }
  CheckMaxItems(c.sink, Join(at, "deadLetterQueues"), s.dead_letter_queues,
                limits::kMaxDeadLetterQueues);
  for (std::size_t i = 0; i < s.dead_letter_queues.size(); ++i) {
    internal::CheckNonEmpty(c.sink, Index(Join(at, "deadLetterQueues"), i),
                            s.dead_letter_queues[i]);
    CheckMaxLength(c.sink, Index(Join(at, "deadLetterQueues"), i), s.dead_letter_queues[i],
                   limits::kMaxQueueNameBytes);
  }
  if (!s.dead_letter_queue_regex.empty()) {
    internal::CheckRegex(c.sink, Join(at, "deadLetterQueueRegex"), s.dead_letter_queue_regex);
  }
  CheckDurationRange(c.sink, Join(at, "refreshInterval"), s.refresh_interval,
                     limits::kMinRefreshInterval, limits::kMaxRefreshInterval);
}

void CheckPostgreSql(const Context& c, const PostgreSqlSpec& s) {
  const std::string at = "spec.postgresql";
  if (s.host.empty() || s.host.size() > 253 ||
      s.host.find_first_of(" \t\r\n/:") != std::string::npos) {
    c.sink.Add(ErrorCode::kInvalidValue, Join(at, "host"), Printable(s.host),
               Quote(s.host) + " is not a host name or IP address");
  }
  if (s.databases.empty())
    c.sink.Add(ErrorCode::kMissingField, Join(at, "databases"), "",
               "at least one database is required");
  CheckMaxItems(c.sink, Join(at, "databases"), s.databases, limits::kMaxDatabases);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < s.databases.size(); ++i) {
    const std::string path = Index(Join(at, "databases"), i);
    const std::string& db = s.databases[i];
    if (db.empty() || db.size() > limits::kMaxDatabaseNameBytes) {
      c.sink.Add(
          ErrorCode::kInvalidValue, path, Printable(db),
          "a database name has 1 to " + std::to_string(limits::kMaxDatabaseNameBytes) + " bytes");
    } else if (!seen.insert(db).second) {
      c.sink.Add(ErrorCode::kDuplicate, path, Printable(db), Quote(db) + " is listed twice");
    }
  }
  c.Ref(Join(at, "credentials.username"), s.credentials.username);
  c.Ref(Join(at, "credentials.password"), s.credentials.password);
  CheckDurationRange(c.sink, Join(at, "refreshInterval"), s.refresh_interval,
                     limits::kMinRefreshInterval, limits::kMaxRefreshInterval);
  CheckDurationRange(c.sink, Join(at, "sizeRefreshInterval"), s.size_refresh_interval,
                     limits::kMinRefreshInterval, limits::kMaxRefreshInterval);
}

bool IsBucketName(const std::string& b) {
  if (b.size() < 3 || b.size() > 63) return false;
  auto alnum = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); };
  if (!alnum(b.front()) || !alnum(b.back())) return false;
  for (char ch : b) {
    if (!alnum(ch) && ch != '-' && ch != '.') return false;
  }
  return b.find("..") == std::string::npos;
}

void CheckS3(const Context& c, const S3Spec& s) {
  const std::string at = "spec.s3";
  if (!s.endpoint.empty()) CheckUrl(c.sink, Join(at, "endpoint"), s.endpoint, false);
  if (s.region.empty() || s.region.size() > limits::kMaxRegionBytes ||
      s.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    c.sink.Add(ErrorCode::kInvalidValue, Join(at, "region"), Printable(s.region),
               Quote(s.region) + " is not a region name (lower-case letters, digits and '-')");
  }
  if (s.buckets.empty())
    c.sink.Add(ErrorCode::kMissingField, Join(at, "buckets"), "",
               "at least one bucket is required");
  CheckMaxItems(c.sink, Join(at, "buckets"), s.buckets, limits::kMaxBuckets);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < s.buckets.size(); ++i) {
    const std::string path = Index(Join(at, "buckets"), i);
    const S3Bucket& b = s.buckets[i];
    if (!IsBucketName(b.name)) {
      c.sink.Add(ErrorCode::kInvalidValue, Join(path, "name"), Printable(b.name),
                 Quote(b.name) +
                     " is not a valid bucket name (3-63 lower-case letters, digits, '.', '-')");
    } else if (!seen.insert(b.name).second) {
      c.sink.Add(ErrorCode::kDuplicate, Join(path, "name"), b.name,
                 Quote(b.name) + " is listed twice");
    }
    CheckMaxItems(c.sink, Join(path, "prefixes"), b.prefixes, limits::kMaxPrefixesPerBucket);
    for (std::size_t k = 0; k < b.prefixes.size(); ++k) {
      CheckMaxLength(c.sink, Index(Join(path, "prefixes"), k), b.prefixes[k],
                     limits::kMaxPrefixBytes);
    }
  }
  c.Ref(Join(at, "credentials.accessKeyId"), s.credentials.access_key_id);
  c.Ref(Join(at, "credentials.secretAccessKey"), s.credentials.secret_access_key);
  if (s.tls)
    internal::CheckTls(c.sink, Join(at, "tlsConfig"), *s.tls, c.ns, c.secrets,
                       c.options.require_secrets);
  CheckDurationRange(c.sink, Join(at, "refreshInterval"), s.refresh_interval,
                     limits::kMinRefreshInterval, limits::kMaxRefreshInterval);
}

}  // namespace

std::vector<Error> ValidateExporter(const Exporter& x, const std::vector<Secret>& secrets,
                                    const ValidateOptions& options) {
  Error prototype;
  prototype.file = x.source.file;
  prototype.kind = kExporterKind;
  prototype.namespace_ = x.metadata.namespace_;
  prototype.name = x.metadata.name;
  ErrorSink sink(prototype);
  internal::CheckMeta(sink, x.metadata, kMaxExporterName);
  const ExporterSpec& s = x.spec;
  const Context c{sink, x.metadata.namespace_, secrets, options};
  const std::string type = ExporterTypeName(s.type);
  auto block = [&](ExporterType t, bool present, const char* field) {
    if (s.type == t && !present) {
      sink.Add(ErrorCode::kMissingField, std::string("spec.") + field, "",
               "required when type is " + type);
    } else if (s.type != t && present) {
      sink.Add(ErrorCode::kConflict, std::string("spec.") + field, "",
               "must not be set when type is " + type);
    }
  };
  block(ExporterType::kRabbitMq, s.rabbitmq.has_value(), "rabbitmq");
  block(ExporterType::kPostgreSql, s.postgresql.has_value(), "postgresql");
  block(ExporterType::kS3, s.s3.has_value(), "s3");
  if (s.rabbitmq) CheckRabbitMq(c, *s.rabbitmq);
  if (s.postgresql) CheckPostgreSql(c, *s.postgresql);
  if (s.s3) CheckS3(c, *s.s3);
  if (!s.image.empty() &&
      (s.image.size() > 512 || s.image.find_first_of(" \t\r\n") != std::string::npos)) {
    sink.Add(ErrorCode::kInvalidValue, "spec.image", Printable(s.image),
             Quote(s.image) + " is not a container image reference");
  }
  internal::CheckResources(sink, "spec.resources", s.resources);
  internal::CheckScrapeTiming(sink, "spec", s.interval, s.scrape_timeout);
  internal::CheckAlertOverrides(sink, "spec.alerts", AlertScope::kExporter, type, s.alerts);
  return std::move(sink.errors());
}

}  // namespace pulse::model
