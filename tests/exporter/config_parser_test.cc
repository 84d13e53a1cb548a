// ParseConfig: the documented example, every field, and malformed/hostile/oversized input.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pulse/base/exporter_limits.h"
#include "pulse/exporter/config.h"
#include "pulse/exporter/credentials.h"
#include "pulse/exporter/target_factory.h"
#include "pulse/testenv/testenv.h"

namespace pulse::exporter {
namespace {

// The messages of all errors, one per line, "path: message".
std::string Errors(const ConfigParseResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.path + ": " + e.message + "\n";
  return out;
}

ConfigParseResult Parse(const std::string& text) { return ParseConfig(text); }

constexpr const char* kRabbit = R"(
targets:
  - name: r
    type: rabbitmq
    rabbitmq: {url: "http://127.0.0.1:15672", username: guest, password: {env: P}}
)";

TEST(ConfigParser, DocumentedExampleParses) {
  // docs/exporter.md is what the operator engineer reads: its example must stay valid.
  std::ifstream in(testenv::SourceDir() + "/docs/exporter.md");
  ASSERT_TRUE(in) << "docs/exporter.md not found";
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  const auto start = text.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  const auto end = text.find("```", start + 8);
  const std::string yaml = text.substr(start + 8, end - start - 8);
  const auto r = Parse(yaml);
  ASSERT_TRUE(r.config) << Errors(r);
  const auto& c = *r.config;
  EXPECT_EQ(c.listen, "127.0.0.1:9187");
  ASSERT_EQ(c.targets.size(), 3u);
  EXPECT_EQ(c.targets[0].name, "rabbitmq-main");
  EXPECT_EQ(c.targets[0].type, TargetType::kRabbitMq);
  EXPECT_EQ(c.targets[0].interval, std::chrono::seconds(15));
  EXPECT_EQ(c.targets[0].timeout, std::chrono::seconds(5));
  const auto& rmq = std::get<RabbitMqSpec>(c.targets[0].spec);
  EXPECT_EQ(rmq.url, "http://rabbitmq.shop.svc:15672");
  EXPECT_EQ(rmq.username.source, Credential::Source::kLiteral);
  EXPECT_EQ(rmq.password.source, Credential::Source::kFile);
  EXPECT_EQ(rmq.password.ref, "/etc/pulse/rabbitmq/password");
  EXPECT_EQ(rmq.vhosts, (std::vector<std::string>{"/", "shop"}));
  EXPECT_EQ(rmq.dead_letter_queues.names, (std::vector<std::string>{"shop.orders.dlq"}));
  EXPECT_EQ(rmq.dead_letter_queues.regex, ".*\\.dlq$");
  EXPECT_TRUE(rmq.dead_letter_queues.discover);

  EXPECT_EQ(c.targets[1].type, TargetType::kPostgreSql);
  EXPECT_EQ(c.targets[1].timeout, std::chrono::seconds(10));  // from defaults
  const auto& pg = std::get<PostgresSpec>(c.targets[1].spec);
  EXPECT_EQ(pg.host, "shop-db.shop.svc");
  EXPECT_EQ(pg.port, 5432);
  ASSERT_TRUE(pg.password);
  EXPECT_EQ(pg.password->source, Credential::Source::kEnv);
  EXPECT_EQ(pg.password->ref, "SHOP_DB_PASSWORD");
  EXPECT_EQ(pg.statement_timeout, std::chrono::seconds(5));
  EXPECT_EQ(pg.database_size_interval, std::chrono::minutes(5));
  EXPECT_EQ(pg.databases, (std::vector<std::string>{"shop", "crm"}));

  const auto& s3 = std::get<S3Spec>(c.targets[2].spec);
  EXPECT_TRUE(s3.virtual_host);
  EXPECT_EQ(s3.region, "eu-central-1");
  ASSERT_TRUE(s3.session_token);
  ASSERT_EQ(s3.buckets.size(), 1u);
  EXPECT_EQ(s3.buckets[0].prefixes, (std::vector<std::string>{"", "uploads/"}));
}

TEST(ConfigParser, DefaultsApply) {
  const auto r = Parse(kRabbit);
  ASSERT_TRUE(r.config) << Errors(r);
  EXPECT_EQ(r.config->targets[0].interval, std::chrono::seconds(30));
  EXPECT_EQ(r.config->targets[0].timeout, std::chrono::seconds(10));
  EXPECT_EQ(r.config->listen, "127.0.0.1:9187");
}

TEST(ConfigParser, UnknownTypeNamesTheValue) {
  const auto r = Parse("targets: [{name: a, type: mysql}]");
  ASSERT_FALSE(r.config);
  EXPECT_EQ(
      Errors(r),
      "targets[0].type: unknown target type \"mysql\" (must be rabbitmq, postgresql or s3)\n");
}

TEST(ConfigParser, MissingFieldsAreEachReported) {
  const auto r = Parse("targets: [{type: postgresql, postgresql: {port: 5432}}]");
  ASSERT_FALSE(r.config);
  const std::string e = Errors(r);
  EXPECT_NE(e.find("targets[0].name: is required"), std::string::npos) << e;
  EXPECT_NE(e.find("targets[0].postgresql.host: is required"), std::string::npos) << e;
  EXPECT_NE(e.find("targets[0].postgresql.user: is required"), std::string::npos) << e;
}

TEST(ConfigParser, MissingTypeBlock) {
  const auto r = Parse("targets: [{name: a, type: s3}]");
  EXPECT_EQ(Errors(r), "targets[0].s3: is required for a target of type \"s3\"\n");
}

TEST(ConfigParser, BadUrl) {
  const auto r = Parse(
      R"(targets: [{name: a, type: rabbitmq, rabbitmq: {url: "ftp://x", username: u, password: {env: P}}}])");
  EXPECT_EQ(Errors(r),
            "targets[0].rabbitmq.url: must be an http:// or https:// URL with a host, got "
            "\"ftp://x\"\n");
  const auto r2 = Parse(
      R"(targets: [{name: a, type: rabbitmq, rabbitmq: {url: "http://h:99999", username: u, password: {env: P}}}])");
  EXPECT_NE(Errors(r2).find("port outside 1..65535"), std::string::npos) << Errors(r2);
  const auto r3 = Parse(
      R"(targets: [{name: a, type: s3, s3: {endpoint: "http://h/path", region: r, access_key_id: {env: A}, secret_access_key: {env: B}, buckets: [{name: abc}]}}])");
  EXPECT_NE(Errors(r3).find("targets[0].s3.endpoint: must not have a path"), std::string::npos)
      << Errors(r3);
}

TEST(ConfigParser, InlineSecretIsRejectedWithoutEchoingIt) {
  const auto r = Parse(
      R"(targets: [{name: a, type: rabbitmq, rabbitmq: {url: "http://h", username: u, password: hunter2}}])");
  ASSERT_FALSE(r.config);
  const std::string e = Errors(r);
  EXPECT_NE(e.find("targets[0].rabbitmq.password: must be {env: VARIABLE} or {file: PATH}"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
}

TEST(ConfigParser, CredentialForms) {
  const auto r = Parse(
      R"(targets: [{name: a, type: postgresql, postgresql: {host: h, user: {file: /u}, password: {env: "1BAD"}}}])");
  EXPECT_EQ(Errors(r),
            "targets[0].postgresql.password.env: is not a valid environment variable name: "
            "\"1BAD\"\n");
  const auto r2 = Parse(
      R"(targets: [{name: a, type: postgresql, postgresql: {host: h, user: u, password: {vault: x}}}])");
  EXPECT_NE(Errors(r2).find("targets[0].postgresql.password.vault: unknown field"),
            std::string::npos)
      << Errors(r2);
}

TEST(ConfigParser, UnknownKeysAndWrongBlocks) {
  const auto r = Parse(R"(
targets:
  - name: a
    type: rabbitmq
    intervall: 5s
    rabbitmq: {url: "http://h", username: u, password: {env: P}, vhost: x}
    postgresql: {host: h}
)");
  const std::string e = Errors(r);
  EXPECT_NE(e.find("targets[0].intervall: unknown field (allowed: name, type, interval"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[0].rabbitmq.vhost: unknown field"), std::string::npos) << e;
  EXPECT_NE(e.find("targets[0].postgresql: does not belong to a target of type \"rabbitmq\""),
            std::string::npos)
      << e;
}

TEST(ConfigParser, DurationsAndNumbers) {
  EXPECT_EQ(ParseDuration("500ms"), Duration(500));
  EXPECT_EQ(ParseDuration("2h"), std::chrono::hours(2));
  for (const char* bad :
       {"", "5", "s", "-5s", "5 s", "1.5s", "9999999999y", "5sx", "1s1m", "1m1m"}) {
    EXPECT_FALSE(ParseDuration(bad)) << bad;
  }
  const auto r = Parse(R"(
defaults: {interval: 0s, timeout: forever}
targets: [{name: a, type: postgresql, postgresql: {host: h, user: u, port: "54x2"}}]
)");
  const std::string e = Errors(r);
  // Bounds are written as durations now (they used to be millisecond counts).
  EXPECT_NE(e.find("defaults.interval: must be between 1s and 1w, got \"0s\""), std::string::npos)
      << e;
  EXPECT_NE(e.find("defaults.timeout: must be a Prometheus duration like 500ms, 30s, 1m30s, 5m, "
                   "1h or 7d, got \"forever\""),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[0].postgresql.port: must be an integer in 1..65535, got \"54x2\""),
            std::string::npos)
      << e;
}

TEST(ConfigParser, DuplicateAndInvalidNames) {
  const auto r = Parse(R"(
targets:
  - {name: a, type: postgresql, postgresql: {host: h, user: u}}
  - {name: a, type: postgresql, postgresql: {host: h, user: u}}
  - {name: "has space", type: postgresql, postgresql: {host: h, user: u}}
)");
  const std::string e = Errors(r);
  EXPECT_NE(e.find("targets[1].name: duplicates another target's name \"a\""), std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[2].name: must be 1-63 characters"), std::string::npos) << e;
}

TEST(ConfigParser, S3Validation) {
  const auto r = Parse(
      R"(targets: [{name: a, type: s3, s3: {endpoint: "http://h", region: "US East", addressing: both, access_key_id: {env: A}, secret_access_key: {env: B}, buckets: [{name: "Bad_Bucket"}, {prefixes: [p]}]}}])");
  const std::string e = Errors(r);
  EXPECT_NE(e.find("targets[0].s3.region: must be lower-case"), std::string::npos) << e;
  EXPECT_NE(e.find("targets[0].s3.addressing: must be path or virtual, got \"both\""),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[0].s3.buckets[0].name: is not a valid S3 bucket name"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[0].s3.buckets[1].name: is required"), std::string::npos) << e;
}

TEST(ConfigParser, BadRegex) {
  const auto r = Parse(
      R"(targets: [{name: a, type: rabbitmq, rabbitmq: {url: "http://h", username: u, password: {env: P}, dead_letter_queues: {regex: "(unclosed"}}}])");
  EXPECT_NE(Errors(r).find("targets[0].rabbitmq.dead_letter_queues.regex: is not a valid RE2"),
            std::string::npos)
      << Errors(r);
}

TEST(ConfigParser, MalformedYamlSaysWhere) {
  const auto r = Parse("targets:\n  - name: a\n   type: [unclosed\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "");
  EXPECT_NE(r.errors[0].message.find("invalid YAML at line"), std::string::npos)
      << r.errors[0].message;
}

TEST(ConfigParser, WrongShapes) {
  EXPECT_EQ(Errors(Parse("")), ": config is empty\n");
  EXPECT_EQ(Errors(Parse("- a\n- b\n")), ": must be a mapping, got a list\n");
  EXPECT_EQ(Errors(Parse("targets: 5")), "targets: must be a non-empty list, got \"5\"\n");
  EXPECT_EQ(Errors(Parse("targets: []")), "targets: must be a non-empty list, got a list\n");
  EXPECT_EQ(Errors(Parse("targets: [5]")), "targets[0]: must be a mapping, got \"5\"\n");
  EXPECT_EQ(Errors(Parse("listen: nope\ntargets: [5]")).substr(0, 37),
            "listen: must be HOST:PORT, got \"nope\"");
}

TEST(ConfigParser, ListenPortZeroLetsTheKernelPickAndOutOfRangeIsRefused) {
  EXPECT_EQ(ValidateListen("127.0.0.1:0"), "");
  EXPECT_EQ(ValidateListen("[::1]:9187"), "");
  EXPECT_EQ(ValidateListen("127.0.0.1:65536"), "must be HOST:PORT, got \"127.0.0.1:65536\"");
  EXPECT_EQ(ValidateListen("127.0.0.1:-1"), "must be HOST:PORT, got \"127.0.0.1:-1\"");
  EXPECT_EQ(ValidateListen(":80"), "must be HOST:PORT, got \":80\"");
}

TEST(ConfigParser, HostileInput) {
  // Oversized document.
  const auto big = Parse(std::string(kMaxConfigBytes + 1, '#'));
  ASSERT_EQ(big.errors.size(), 1u);
  EXPECT_NE(big.errors[0].message.find("more than the limit"), std::string::npos);
  // Deep nesting must not crash.
  const std::string deep = "targets: " + std::string(5000, '[') + std::string(5000, ']');
  EXPECT_FALSE(Parse(deep).config);
  // Too many targets.
  std::string many = "targets:\n";
  for (std::size_t i = 0; i <= kMaxTargets; ++i) many += "  - {}\n";
  const auto m = Parse(many);
  ASSERT_EQ(m.errors.size(), 1u);
  EXPECT_NE(m.errors[0].message.find("at most 1000"), std::string::npos);
  // Alias bomb: aliases are shared nodes and lists are capped, so this is cheap.
  std::string bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n";
  for (int i = 0; i < 8; ++i) {
    bomb += std::string(1, static_cast<char>('b' + i)) + ": &" + static_cast<char>('b' + i) +
            " [*" + static_cast<char>('a' + i) + ",*" + static_cast<char>('a' + i) + ",*" +
            static_cast<char>('a' + i) + "]\n";
  }
  bomb +=
      "targets: [{name: a, type: rabbitmq, rabbitmq: {url: 'http://h', username: u, "
      "password: {env: P}, vhosts: *i}}]\n";
  const auto b = Parse(bomb);
  EXPECT_FALSE(b.config);
  EXPECT_NE(Errors(b).find("targets[0].rabbitmq.vhosts[0]: must be a string, got a list"),
            std::string::npos)
      << Errors(b).substr(0, 300);
  // Binary garbage and control characters are quoted safely.
  const auto g = Parse(std::string("targets: [{name: \"a\\x01\\x1b[31m\", type: s3}]"));
  EXPECT_FALSE(g.config);
  EXPECT_EQ(Errors(g).find('\x1b'), std::string::npos);
  EXPECT_FALSE(Parse(std::string("\0\xff\xfe", 3)).config);
  // A very long value is truncated in the message.
  const auto l = Parse("targets: [{name: a, type: " + std::string(10000, 'z') + "}]");
  EXPECT_LT(Errors(l).size(), 300u);
}

// The exporter speaks the CRD's duration grammar (pulse/base/duration.h): compound values and
// the units d, w, y, each once and largest first.
TEST(ConfigParser, CompoundDurations) {
  EXPECT_EQ(ParseDuration("1m30s"), std::chrono::seconds(90));
  EXPECT_EQ(ParseDuration("1h30m15s500ms"), Duration(5415500));
  EXPECT_EQ(ParseDuration("2d"), std::chrono::hours(48));
  EXPECT_EQ(ParseDuration("1w"), std::chrono::hours(24 * 7));
  EXPECT_EQ(ParseDuration("0"), Duration(0));
  const auto r = Parse(R"(
defaults: {interval: 1m30s, timeout: 2s500ms}
targets:
  - {name: a, type: postgresql, interval: 7d, postgresql: {host: h, user: u, database_size_interval: 1d12h, statement_timeout: 1m30s}}
  - {name: b, type: postgresql, postgresql: {host: h, user: u}}
)");
  ASSERT_TRUE(r.config) << Errors(r);
  EXPECT_EQ(r.config->targets[0].interval, std::chrono::hours(24 * 7));
  const auto& pg = std::get<PostgresSpec>(r.config->targets[0].spec);
  EXPECT_EQ(pg.database_size_interval, std::chrono::hours(36));
  EXPECT_EQ(pg.statement_timeout, std::chrono::seconds(90));
  EXPECT_EQ(r.config->targets[1].interval, std::chrono::seconds(90));
  EXPECT_EQ(r.config->targets[1].timeout, Duration(2500));
}

// The limits are the Exporter CR's (pulse/base/exporter_limits.h): refresh periods up to 7d,
// 100 databases, 100 prefixes per bucket, 255-byte vhost and queue names.
TEST(ConfigParser, SharedLimits) {
  namespace limits = base::exporter_limits;
  // 7d was refused before (the cap was 24h); 7d1ms is one past the shared maximum.
  EXPECT_TRUE(Parse("defaults: {interval: 7d}\n" + std::string(kRabbit).substr(1)).config);
  const auto over = Parse(R"(
targets:
  - {name: a, type: postgresql, interval: 7d1ms, postgresql: {host: h, user: u, database_size_interval: 8d}}
)");
  const std::string e = Errors(over);
  EXPECT_NE(e.find("targets[0].interval: must be between 1s and 1w, got \"7d1ms\""),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[0].postgresql.database_size_interval: must be between 1s and 1w"),
            std::string::npos)
      << e;

  std::string dbs;
  for (std::size_t i = 0; i <= limits::kMaxDatabases; ++i)
    dbs += (i ? ", d" : "d") + std::to_string(i);
  const auto many_dbs =
      Parse("targets: [{name: a, type: postgresql, postgresql: {host: h, user: u, databases: [" +
            dbs + "]}}]");
  EXPECT_NE(Errors(many_dbs).find("targets[0].postgresql.databases: has 101 items, at most 100"),
            std::string::npos)
      << Errors(many_dbs);
  const auto long_db =
      Parse("targets: [{name: a, type: postgresql, postgresql: {host: h, user: u, databases: [" +
            std::string(limits::kMaxDatabaseNameBytes + 1, 'd') + "]}}]");
  EXPECT_NE(Errors(long_db).find("targets[0].postgresql.databases[0]: is longer than 63 bytes"),
            std::string::npos)
      << Errors(long_db);

  std::string prefixes;
  for (std::size_t i = 0; i <= limits::kMaxPrefixesPerBucket; ++i)
    prefixes += "p" + std::to_string(i) + "/, ";
  const auto many_prefixes = Parse(
      "targets: [{name: a, type: s3, s3: {region: r, access_key_id: {env: A}, "
      "secret_access_key: {env: B}, buckets: [{name: abc, prefixes: [" +
      prefixes + "]}]}}]");
  EXPECT_NE(
      Errors(many_prefixes).find("targets[0].s3.buckets[0].prefixes: has 101 items, at most 100"),
      std::string::npos)
      << Errors(many_prefixes);

  const auto names = Parse(
      R"(targets: [{name: a, type: rabbitmq, rabbitmq: {url: "http://h", username: u, password: {env: P}, vhosts: [""], dead_letter_queues: {names: [")" +
      std::string(limits::kMaxQueueNameBytes + 1, 'q') + R"("]}}}])");
  EXPECT_NE(Errors(names).find("targets[0].rabbitmq.vhosts[0]: must not be empty"),
            std::string::npos)
      << Errors(names);
  EXPECT_NE(
      Errors(names).find("targets[0].rabbitmq.dead_letter_queues.names[0]: is longer than 255"),
      std::string::npos)
      << Errors(names);
  // A regex as long as the CR allows (4096 bytes; the exporter used to stop at 1024).
  const auto regex = Parse(
      R"(targets: [{name: a, type: rabbitmq, rabbitmq: {url: "http://h", username: u, password: {env: P}, dead_letter_queues: {regex: ")" +
      std::string(limits::kMaxDeadLetterQueueRegexBytes, 'x') + R"("}}}])");
  EXPECT_TRUE(regex.config) << Errors(regex).substr(0, 300);
}

TEST(ConfigParser, TlsBlock) {
  const auto r = Parse(R"(
targets:
  - name: r
    type: rabbitmq
    rabbitmq:
      url: https://rabbitmq:15671
      username: u
      password: {env: P}
      tls: {ca_file: /tls/ca.crt, cert_file: /tls/tls.crt, key_file: /tls/tls.key, server_name: rabbitmq.internal, insecure_skip_verify: true}
  - name: s
    type: s3
    s3:
      endpoint: https://minio:9000
      region: us-east-1
      access_key_id: {env: A}
      secret_access_key: {env: B}
      tls: {ca_file: /tls/ca.crt}
      buckets: [{name: abc}]
)");
  ASSERT_TRUE(r.config) << Errors(r);
  const auto& rmq = std::get<RabbitMqSpec>(r.config->targets[0].spec);
  ASSERT_TRUE(rmq.tls);
  EXPECT_EQ(rmq.tls->ca_file, "/tls/ca.crt");
  EXPECT_EQ(rmq.tls->cert_file, "/tls/tls.crt");
  EXPECT_EQ(rmq.tls->key_file, "/tls/tls.key");
  EXPECT_EQ(rmq.tls->server_name, "rabbitmq.internal");
  EXPECT_TRUE(rmq.tls->insecure_skip_verify);
  const auto& s3 = std::get<S3Spec>(r.config->targets[1].spec);
  ASSERT_TRUE(s3.tls);
  EXPECT_EQ(s3.tls->ca_file, "/tls/ca.crt");
  EXPECT_TRUE(s3.tls->cert_file.empty());
  EXPECT_FALSE(s3.tls->insecure_skip_verify);
  EXPECT_FALSE(std::get<RabbitMqSpec>(Parse(kRabbit).config->targets[0].spec).tls);
}

TEST(ConfigParser, TlsErrors) {
  const auto r = Parse(R"(
targets:
  - {name: a, type: rabbitmq, rabbitmq: {url: "https://h", username: u, password: {env: P}, tls: {cert_file: /c}}}
  - {name: b, type: rabbitmq, rabbitmq: {url: "https://h", username: u, password: {env: P}, tls: {ca_file: "", key_file: /k, insecure_skip_verify: maybe, server_name: "a\tb"}}}
  - {name: c, type: s3, s3: {region: r, access_key_id: {env: A}, secret_access_key: {env: B}, tls: {ca: /x}, buckets: [{name: abc}]}}
)");
  ASSERT_FALSE(r.config);
  const std::string e = Errors(r);
  EXPECT_NE(e.find("targets[0].rabbitmq.tls.key_file: is required when cert_file is set"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[1].rabbitmq.tls.ca_file: must not be empty"), std::string::npos) << e;
  EXPECT_NE(e.find("targets[1].rabbitmq.tls.cert_file: is required when key_file is set"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[1].rabbitmq.tls.insecure_skip_verify: must be true or false"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[1].rabbitmq.tls.server_name: must be a host name"), std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[2].s3.tls.ca: unknown field (allowed: ca_file, cert_file, key_file"),
            std::string::npos)
      << e;
}

// The parsed block is what the target's HTTP client gets (target_factory.cc).
TEST(ConfigParser, TlsBecomesHttpTlsOptions) {
  const auto r = Parse(R"(
targets:
  - {name: a, type: rabbitmq, rabbitmq: {url: "https://h", username: u, password: {env: P}, tls: {ca_file: /ca, cert_file: /c, key_file: /k, server_name: n, insecure_skip_verify: true}}}
  - {name: b, type: postgresql, postgresql: {host: h, user: u}}
)");
  ASSERT_TRUE(r.config) << Errors(r);
  const auto tls = TlsOptionsFor(r.config->targets[0]);
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->ca_file, "/ca");
  EXPECT_EQ(tls->client_cert_file, "/c");
  EXPECT_EQ(tls->client_key_file, "/k");
  EXPECT_EQ(tls->server_name, "n");
  EXPECT_TRUE(tls->insecure_skip_verify);
  EXPECT_FALSE(TlsOptionsFor(r.config->targets[1]));
}

// --check (CheckCredentials) names every TLS file that cannot be read, with its field path.
TEST(ConfigParser, CheckReportsMissingTlsFiles) {
  const std::string dir = ::testing::TempDir();
  const std::string ca = dir + "/pulse-config-test-ca.crt";
  std::ofstream(ca) << "-----BEGIN CERTIFICATE-----\n";
  const auto r = Parse(R"(
targets:
  - {name: a, type: rabbitmq, rabbitmq: {url: "https://h", username: u, password: {file: )" +
                       ca + R"(}, tls: {ca_file: )" + ca +
                       R"(, cert_file: /nonexistent/tls.crt, key_file: /nonexistent/tls.key}}}
)");
  ASSERT_TRUE(r.config) << Errors(r);
  std::string e;
  for (const auto& err : CheckCredentials(*r.config)) e += err.path + ": " + err.message + "\n";
  EXPECT_EQ(e.find("tls.ca_file"), std::string::npos) << e;
  EXPECT_NE(e.find("targets[0].rabbitmq.tls.cert_file: cannot read TLS file /nonexistent/tls.crt"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("targets[0].rabbitmq.tls.key_file: cannot read TLS file /nonexistent/tls.key"),
            std::string::npos)
      << e;
}

// No endpoint = AWS: the regional endpoint, virtual-host addressing unless path is asked for.
// With an endpoint the default stays path style (self-hosted servers).
TEST(ConfigParser, S3EndpointDefault) {
  const auto aws = Parse(
      "targets: [{name: a, type: s3, s3: {region: eu-central-1, access_key_id: {env: A}, "
      "secret_access_key: {env: B}, buckets: [{name: abc}]}}]");
  ASSERT_TRUE(aws.config) << Errors(aws);
  const auto& s = std::get<S3Spec>(aws.config->targets[0].spec);
  EXPECT_EQ(s.endpoint, "https://s3.eu-central-1.amazonaws.com");
  EXPECT_EQ(s.endpoint, DefaultS3Endpoint("eu-central-1"));
  EXPECT_TRUE(s.virtual_host);
  const auto aws_path = Parse(
      "targets: [{name: a, type: s3, s3: {region: us-east-1, addressing: path, access_key_id: "
      "{env: A}, secret_access_key: {env: B}, buckets: [{name: abc}]}}]");
  ASSERT_TRUE(aws_path.config) << Errors(aws_path);
  EXPECT_FALSE(std::get<S3Spec>(aws_path.config->targets[0].spec).virtual_host);
  EXPECT_EQ(std::get<S3Spec>(aws_path.config->targets[0].spec).endpoint,
            "https://s3.us-east-1.amazonaws.com");
  const auto own = Parse(
      "targets: [{name: a, type: s3, s3: {endpoint: 'http://minio:9000/', region: us-east-1, "
      "access_key_id: {env: A}, secret_access_key: {env: B}, buckets: [{name: abc}]}}]");
  ASSERT_TRUE(own.config) << Errors(own);
  EXPECT_EQ(std::get<S3Spec>(own.config->targets[0].spec).endpoint, "http://minio:9000");
  EXPECT_FALSE(std::get<S3Spec>(own.config->targets[0].spec).virtual_host);
}

TEST(ConfigParser, FormatNamesFile) {
  EXPECT_EQ(FormatConfigErrors("x.yaml", {{"targets[0].type", "bad"}, {"", "whole"}}),
            "x.yaml: targets[0].type: bad\nx.yaml: whole\n");
}

}  // namespace
}  // namespace pulse::exporter
