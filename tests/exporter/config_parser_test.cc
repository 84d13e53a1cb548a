// ParseConfig: the documented example, every field, and malformed/hostile/oversized input.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pulse/exporter/config.h"
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
  for (const char* bad : {"", "5", "s", "-5s", "5 s", "1.5s", "5d", "9999999999s", "5sx"}) {
    EXPECT_FALSE(ParseDuration(bad)) << bad;
  }
  const auto r = Parse(R"(
defaults: {interval: 0s, timeout: forever}
targets: [{name: a, type: postgresql, postgresql: {host: h, user: u, port: "54x2"}}]
)");
  const std::string e = Errors(r);
  EXPECT_NE(e.find("defaults.interval: must be between 1000ms and 86400000ms, got \"0s\""),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("defaults.timeout: must be a duration like 500ms, 30s, 5m or 1h, got "
                   "\"forever\""),
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

TEST(ConfigParser, FormatNamesFile) {
  EXPECT_EQ(FormatConfigErrors("x.yaml", {{"targets[0].type", "bad"}, {"", "whole"}}),
            "x.yaml: targets[0].type: bad\nx.yaml: whole\n");
}

}  // namespace
}  // namespace pulse::exporter
