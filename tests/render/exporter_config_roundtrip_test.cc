// The one Exporter contract, end to end in-process: every rendered exporter config is parsed by
// pulse-exporter's own ParseConfig and the resulting structs equal the Exporter's values, field
// by field. Covers every golden case's Exporters and objects at the shared limits
// (pulse/base/exporter_limits.h), so the model's bounds and the exporter's cannot drift apart.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "golden_cases.h"
#include "pulse/base/exporter_limits.h"
#include "pulse/exporter/config.h"
#include "pulse/model/validate.h"
#include "pulse/render/exporter_config_renderer.h"

namespace pulse::render {
namespace {

namespace limits = base::exporter_limits;
namespace ex = exporter;

std::string Errors(const ex::ConfigParseResult& r) {
  return ex::FormatConfigErrors("rendered", r.errors);
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// The env var the config names for `credential`, checked against ExporterEnvVars().
void ExpectEnv(const ex::Credential& credential, const model::SecretKeySelector& secret,
               const std::vector<ExporterEnvVar>& vars, const std::string& what) {
  EXPECT_EQ(credential.source, ex::Credential::Source::kEnv) << what;
  const auto it = std::find_if(vars.begin(), vars.end(),
                               [&](const ExporterEnvVar& v) { return v.name == credential.ref; });
  ASSERT_NE(it, vars.end()) << what << ": " << credential.ref << " not in ExporterEnvVars";
  EXPECT_EQ(it->secret.name, secret.name) << what;
  EXPECT_EQ(it->secret.key, secret.key) << what;
}

void ExpectTls(const std::optional<ex::TlsFiles>& got, const std::optional<model::TlsConfig>& want,
               const std::vector<ExporterSecretFile>& files, const std::string& what) {
  ASSERT_EQ(got.has_value(), want.has_value()) << what;
  if (!want) {
    EXPECT_TRUE(files.empty()) << what;
    return;
  }
  auto check = [&](const std::string& path, const std::optional<model::SecretKeySelector>& ref,
                   const char* field) {
    ASSERT_EQ(path.empty(), !ref.has_value()) << what << "." << field;
    if (!ref) return;
    const auto it = std::find_if(files.begin(), files.end(),
                                 [&](const ExporterSecretFile& f) { return f.path == path; });
    ASSERT_NE(it, files.end()) << what << "." << field << ": " << path;
    EXPECT_EQ(it->secret.name, ref->name) << what << "." << field;
    EXPECT_EQ(it->secret.key, ref->key) << what << "." << field;
    EXPECT_EQ(path.rfind(std::string(kExporterTlsDir) + "/", 0), 0u) << path;
  };
  check(got->ca_file, want->ca, "ca");
  check(got->cert_file, want->cert, "cert");
  check(got->key_file, want->key, "key");
  EXPECT_EQ(files.size(),
            std::size_t{want->ca.has_value()} + want->cert.has_value() + want->key.has_value())
      << what;
  EXPECT_EQ(got->server_name, want->server_name) << what;
  EXPECT_EQ(got->insecure_skip_verify, want->insecure_skip_verify) << what;
}

// Renders `x`, parses it with the exporter's parser and compares every field.
void ExpectRoundTrip(const model::Exporter& x) {
  const std::string what = x.metadata.namespace_ + "/" + x.metadata.name;
  const std::string text = RenderExporterConfig(x);
  const ex::ConfigParseResult parsed = ex::ParseConfig(text);
  ASSERT_TRUE(parsed.config) << what << ":\n" << Errors(parsed) << "\n" << text.substr(0, 2000);
  const ex::ExporterConfig& c = *parsed.config;
  EXPECT_EQ(c.listen, "0.0.0.0:9187");
  ASSERT_EQ(c.targets.size(), 1u);
  const ex::TargetConfig& t = c.targets[0];
  EXPECT_EQ(t.name, x.metadata.name);
  EXPECT_EQ(t.type == ex::TargetType::kRabbitMq, x.spec.type == model::ExporterType::kRabbitMq);
  EXPECT_EQ(t.type == ex::TargetType::kPostgreSql, x.spec.type == model::ExporterType::kPostgreSql);
  EXPECT_EQ(t.type == ex::TargetType::kS3, x.spec.type == model::ExporterType::kS3);
  const std::vector<ExporterEnvVar> vars = ExporterEnvVars(x);
  const std::vector<ExporterSecretFile> files = ExporterSecretFiles(x);
  EXPECT_EQ(vars.size(), 2u) << what;
  for (const auto& v : vars) EXPECT_EQ(v.name.rfind("PULSE_", 0), 0u) << v.name;

  if (x.spec.rabbitmq) {
    const model::RabbitMqSpec& m = *x.spec.rabbitmq;
    const auto& r = std::get<ex::RabbitMqSpec>(t.spec);
    EXPECT_EQ(t.interval, m.refresh_interval.value) << what;
    EXPECT_EQ(t.timeout, std::min(m.refresh_interval.value, limits::kDefaultTimeout)) << what;
    EXPECT_EQ(r.url, TrimSlash(m.url));
    ExpectEnv(r.username, m.credentials.username, vars, what + " username");
    ExpectEnv(r.password, m.credentials.password, vars, what + " password");
    ExpectTls(r.tls, m.tls, files, what + " tls");
    EXPECT_EQ(r.vhosts, m.vhosts) << what;
    EXPECT_EQ(r.dead_letter_queues.names, m.dead_letter_queues) << what;
    EXPECT_EQ(r.dead_letter_queues.regex, m.dead_letter_queue_regex) << what;
    // The CR's names/regex override discovery.
    EXPECT_EQ(r.dead_letter_queues.discover,
              m.dead_letter_queues.empty() && m.dead_letter_queue_regex.empty())
        << what;
  }
  if (x.spec.postgresql) {
    const model::PostgreSqlSpec& m = *x.spec.postgresql;
    const auto& p = std::get<ex::PostgresSpec>(t.spec);
    EXPECT_EQ(t.interval, m.refresh_interval.value) << what;
    EXPECT_EQ(t.timeout, std::min(m.refresh_interval.value, limits::kDefaultTimeout)) << what;
    EXPECT_EQ(p.host, m.host);
    EXPECT_EQ(p.port, m.port);
    ExpectEnv(p.user, m.credentials.username, vars, what + " username");
    ASSERT_TRUE(p.password);
    ExpectEnv(*p.password, m.credentials.password, vars, what + " password");
    ASSERT_FALSE(m.databases.empty());
    EXPECT_EQ(p.dbname, m.databases.front()) << what;
    EXPECT_EQ(p.databases, m.databases) << what;
    EXPECT_EQ(p.sslmode, m.ssl_mode) << what;
    EXPECT_EQ(p.database_size_interval, m.size_refresh_interval.value) << what;
    EXPECT_EQ(p.statement_timeout, ex::Duration(0)) << what;  // = the target's timeout
    EXPECT_TRUE(files.empty()) << what;                       // no tlsConfig for PostgreSQL
  }
  if (x.spec.s3) {
    const model::S3Spec& m = *x.spec.s3;
    const auto& s = std::get<ex::S3Spec>(t.spec);
    EXPECT_EQ(t.interval, m.refresh_interval.value) << what;
    EXPECT_EQ(t.timeout, std::min(m.refresh_interval.value, limits::kDefaultTimeout)) << what;
    EXPECT_EQ(s.endpoint, m.endpoint.empty() ? "https://s3." + m.region + ".amazonaws.com"
                                             : TrimSlash(m.endpoint))
        << what;
    EXPECT_EQ(s.region, m.region);
    EXPECT_EQ(s.virtual_host, !m.path_style) << what;
    ExpectEnv(s.access_key_id, m.credentials.access_key_id, vars, what + " access key id");
    ExpectEnv(s.secret_access_key, m.credentials.secret_access_key, vars, what + " secret key");
    EXPECT_FALSE(s.session_token);
    ExpectTls(s.tls, m.tls, files, what + " tls");
    ASSERT_EQ(s.buckets.size(), m.buckets.size());
    for (std::size_t i = 0; i < m.buckets.size(); ++i) {
      EXPECT_EQ(s.buckets[i].name, m.buckets[i].name);
      // The CR's "no prefixes" is the exporter's [""]: the whole bucket.
      const std::vector<std::string> want =
          m.buckets[i].prefixes.empty() ? std::vector<std::string>{""} : m.buckets[i].prefixes;
      EXPECT_EQ(s.buckets[i].prefixes, want) << what << " bucket " << i;
    }
  }
}

TEST(ExporterConfigRoundTrip, EveryGoldenExporter) {
  std::size_t exporters = 0;
  std::set<model::ExporterType> types;
  for (const auto& c : testing::GoldenCases()) {
    std::vector<std::string> errors;
    const model::Objects objects = testing::LoadCase(c, &errors);
    ASSERT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
    for (const auto& x : objects.exporters) {
      SCOPED_TRACE(c.name + ": " + x.metadata.namespace_ + "/" + x.metadata.name);
      ExpectRoundTrip(x);
      types.insert(x.spec.type);
      ++exporters;
    }
  }
  EXPECT_GE(exporters, 15u);
  EXPECT_EQ(types.size(), 3u);
}

// Objects at every shared bound are valid for the model, and their configs for the exporter.
TEST(ExporterConfigRoundTrip, AtTheSharedLimits) {
  auto valid = [](const model::Exporter& x) {
    const auto errors = model::ValidateExporter(x, {}, {});
    std::string all;
    for (const auto& e : errors) all += e.ToString() + "\n";
    return all;
  };
  model::Exporter rmq;
  rmq.metadata.name = std::string(48, 'r');
  rmq.metadata.namespace_ = "limits";
  rmq.spec.type = model::ExporterType::kRabbitMq;
  rmq.spec.rabbitmq.emplace();
  rmq.spec.rabbitmq->url = "https://rabbitmq:15671";
  rmq.spec.rabbitmq->credentials = {{"s", "u"}, {"s", "p"}};
  for (std::size_t i = 0; i < limits::kMaxVhosts; ++i) {
    rmq.spec.rabbitmq->vhosts.push_back(std::to_string(i) +
                                        std::string(limits::kMaxVhostBytes - 4, 'v'));
  }
  for (std::size_t i = 0; i < limits::kMaxDeadLetterQueues; ++i) {
    rmq.spec.rabbitmq->dead_letter_queues.push_back(std::to_string(i) + ".dlq");
  }
  rmq.spec.rabbitmq->dead_letter_queue_regex =
      std::string(limits::kMaxDeadLetterQueueRegexBytes, 'x');
  rmq.spec.rabbitmq->refresh_interval = model::MakeDuration("7d");
  ASSERT_EQ(valid(rmq), "");
  ExpectRoundTrip(rmq);
  rmq.spec.rabbitmq->refresh_interval = model::MakeDuration("1s");
  ASSERT_EQ(valid(rmq), "");
  ExpectRoundTrip(rmq);

  model::Exporter pg;
  pg.metadata.name = "pg";
  pg.metadata.namespace_ = "limits";
  pg.spec.type = model::ExporterType::kPostgreSql;
  pg.spec.postgresql.emplace();
  pg.spec.postgresql->host = "db";
  pg.spec.postgresql->credentials = {{"s", "u"}, {"s", "p"}};
  for (std::size_t i = 0; i < limits::kMaxDatabases; ++i) {
    pg.spec.postgresql->databases.push_back(std::to_string(i) +
                                            std::string(limits::kMaxDatabaseNameBytes - 3, 'd'));
  }
  pg.spec.postgresql->refresh_interval = model::MakeDuration("1w");
  pg.spec.postgresql->size_refresh_interval = model::MakeDuration("1s");
  ASSERT_EQ(valid(pg), "");
  ExpectRoundTrip(pg);

  model::Exporter s3;
  s3.metadata.name = "s3";
  s3.metadata.namespace_ = "limits";
  s3.spec.type = model::ExporterType::kS3;
  s3.spec.s3.emplace();
  s3.spec.s3->credentials = {{"s", "a"}, {"s", "b"}};
  // The 1 MiB config file bound is far above any Exporter the API server stores (1.5 MiB per
  // object, most of it other fields); 1000 buckets with a few prefixes stay well below it.
  for (std::size_t i = 0; i < limits::kMaxBuckets; ++i) {
    model::S3Bucket b{"bucket-" + std::to_string(i), {}};
    if (i == 0) {
      for (std::size_t k = 0; k < limits::kMaxPrefixesPerBucket; ++k) {
        b.prefixes.push_back(std::to_string(k) + std::string(100, 'p'));
      }
      b.prefixes.back() = std::string(limits::kMaxPrefixBytes, 'p');
    }
    s3.spec.s3->buckets.push_back(std::move(b));
  }
  s3.spec.s3->refresh_interval = model::MakeDuration("7d");
  ASSERT_EQ(valid(s3), "");
  ExpectRoundTrip(s3);

  // One past a bound is refused by both sides alike.
  rmq.spec.rabbitmq->refresh_interval = model::MakeDuration("7d1ms");
  EXPECT_NE(valid(rmq), "");
  EXPECT_FALSE(ex::ParseConfig(RenderExporterConfig(rmq)).config);
  pg.spec.postgresql->databases.push_back("one-too-many");
  EXPECT_NE(valid(pg), "");
  EXPECT_FALSE(ex::ParseConfig(RenderExporterConfig(pg)).config);
}

TEST(ExporterConfigRoundTrip, EnvVarsAndFilesAreStableAndSorted) {
  model::Exporter x;
  x.metadata = {};
  x.metadata.name = "m";
  x.metadata.namespace_ = "n";
  x.spec.type = model::ExporterType::kS3;
  x.spec.s3.emplace();
  x.spec.s3->credentials = {{"aws", "id"}, {"aws", "secret"}};
  model::TlsConfig tls;
  tls.ca = model::SecretKeySelector{"ca", "ca.pem"};
  tls.cert = model::SecretKeySelector{"client", "tls.crt"};
  tls.key = model::SecretKeySelector{"client", "tls.key"};
  x.spec.s3->tls = tls;
  EXPECT_EQ(ExporterEnvVars(x),
            (std::vector<ExporterEnvVar>{{"PULSE_S3_ACCESS_KEY_ID", {"aws", "id"}},
                                         {"PULSE_S3_SECRET_ACCESS_KEY", {"aws", "secret"}}}));
  EXPECT_EQ(ExporterSecretFiles(x),
            (std::vector<ExporterSecretFile>{
                {"/etc/pulse-exporter/tls/ca.crt", {"ca", "ca.pem"}},
                {"/etc/pulse-exporter/tls/tls.crt", {"client", "tls.crt"}},
                {"/etc/pulse-exporter/tls/tls.key", {"client", "tls.key"}}}));
  ExporterConfigOptions options;
  options.tls_dir = "/other";
  options.listen = "127.0.0.1:1234";
  EXPECT_EQ(ExporterSecretFiles(x, options).front().path, "/other/ca.crt");
  const std::string text = RenderExporterConfig(x, options);
  EXPECT_NE(text.find("listen: \"127.0.0.1:1234\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ca_file: /other/ca.crt\n"), std::string::npos) << text;
  EXPECT_EQ(ExporterConfigPath(x), "exporters/n/m.yaml");
}

}  // namespace
}  // namespace pulse::render
