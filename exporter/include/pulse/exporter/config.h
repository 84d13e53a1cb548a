// The exporter's configuration: plain structs plus a pure parser (YAML text in, config or a list
// of errors with field paths out). The in-cluster operator renders this format from an Exporter
// custom resource; docs/exporter.md is its reference. Everything here is thread-compatible
// (no shared state); ParseConfig is safe to call concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pulse::exporter {

using Duration = std::chrono::milliseconds;

// Where a credential comes from. Holds the *reference* (variable name or path), never a secret,
// except kLiteral, which the parser only allows for user names.
struct Credential {
  enum class Source { kLiteral, kEnv, kFile };
  Source source = Source::kLiteral;
  std::string ref;
};

struct DeadLetterOverride {
  std::vector<std::string> names;  // queues that are dead-letter queues in every vhost
  std::string regex;               // RE2, full match on the queue name; empty = none
  bool discover = true;            // find DLQs from queue arguments, policies and bindings
};

struct RabbitMqSpec {
  std::string url;  // management API base, e.g. http://host:15672 (no trailing slash)
  Credential username;
  Credential password;
  std::vector<std::string> vhosts;  // empty = all
  DeadLetterOverride dead_letter_queues;
};

struct PostgresSpec {
  std::string host;
  int port = 5432;
  Credential user;
  std::optional<Credential> password;
  std::string dbname = "postgres";
  std::string sslmode = "prefer";
  Duration statement_timeout{0};  // 0 = the target's timeout
  Duration database_size_interval = std::chrono::minutes(5);
  std::vector<std::string> databases;  // empty = every database that allows connections
};

struct S3Bucket {
  std::string name;
  std::vector<std::string> prefixes;  // never empty after parsing; "" = whole bucket
};

struct S3Spec {
  std::string endpoint;  // scheme://host[:port], no path
  std::string region;
  bool virtual_host = false;  // bucket.host instead of host/bucket
  Credential access_key_id;
  Credential secret_access_key;
  std::optional<Credential> session_token;
  std::vector<S3Bucket> buckets;
};

enum class TargetType { kRabbitMq, kPostgreSql, kS3 };
std::string_view TargetTypeName(TargetType type);

struct TargetConfig {
  std::string name;
  TargetType type = TargetType::kRabbitMq;
  Duration interval = std::chrono::seconds(30);
  Duration timeout = std::chrono::seconds(10);
  std::variant<RabbitMqSpec, PostgresSpec, S3Spec> spec;
};

struct ExporterConfig {
  std::string listen = "127.0.0.1:9187";
  std::vector<TargetConfig> targets;
};

struct ConfigError {
  std::string path;     // e.g. "targets[1].postgresql.port"; empty for whole-document errors
  std::string message;  // says what is wrong and quotes the offending value (never a secret)
};

struct ConfigParseResult {
  std::optional<ExporterConfig> config;  // set iff errors is empty
  std::vector<ConfigError> errors;
};

// Limits that keep hostile input cheap to reject.
inline constexpr std::size_t kMaxConfigBytes = 1 << 20;
inline constexpr std::size_t kMaxTargets = 1000;
inline constexpr std::size_t kMaxListItems = 1000;

// Parses and validates the YAML text of a config file. Pure: no files, environment or network.
ConfigParseResult ParseConfig(std::string_view yaml_text);

// "500ms", "30s", "5m", "1h" -> duration; nullopt for anything else (including overflow).
std::optional<Duration> ParseDuration(std::string_view text);

// "" when `listen` is a valid HOST:PORT, else the reason (used for the file and --listen).
std::string ValidateListen(std::string_view listen);

// One line per error: "<file>: <path>: <message>".
std::string FormatConfigErrors(std::string_view file, const std::vector<ConfigError>& errors);

}  // namespace pulse::exporter
