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

// TLS towards a target (RabbitMQ's management API over https, S3). Paths, not PEM: the operator
// mounts the CR's Secret keys as files (render/exporter_config_renderer.h), and files are what a
// hand-written config can point at. Maps 1:1 onto pulse::http::TlsOptions.
struct TlsFiles {
  std::string ca_file;      // CA bundle (PEM); "" = the system trust store
  std::string cert_file;    // client certificate (PEM); set together with key_file
  std::string key_file;     // client private key (PEM)
  std::string server_name;  // SNI and verification name; "" = the URL's host
  bool insecure_skip_verify = false;

  friend bool operator==(const TlsFiles&, const TlsFiles&) = default;
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
  std::optional<TlsFiles> tls;      // only meaningful with an https:// url
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
  // Databases to report sizes *and* connections for. Empty = every database that allows
  // connections (pg_database.datallowconn), so template0 is never reported by default; listed
  // databases are reported if they exist.
  std::vector<std::string> databases;
};

struct S3Bucket {
  std::string name;
  std::vector<std::string> prefixes;  // never empty after parsing; "" = whole bucket
};

struct S3Spec {
  // scheme://host[:port], no path. When the file leaves it out: DefaultS3Endpoint(region), and
  // then virtual-host addressing unless `addressing: path` (AWS's default style).
  std::string endpoint;
  std::string region;
  bool virtual_host = false;  // bucket.host instead of host/bucket
  std::optional<TlsFiles> tls;
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

// Limits that keep hostile input cheap to reject. The per-target limits (intervals, list sizes)
// are the Exporter CR's, from pulse/base/exporter_limits.h.
inline constexpr std::size_t kMaxConfigBytes = 1 << 20;
inline constexpr std::size_t kMaxTargets = 1000;

// Parses and validates the YAML text of a config file. Pure: no files, environment or network.
ConfigParseResult ParseConfig(std::string_view yaml_text);

// Prometheus durations ("500ms", "30s", "1m30s", "30d"; pulse/base/duration.h) -> duration;
// nullopt for anything else (including overflow).
std::optional<Duration> ParseDuration(std::string_view text);

// AWS's regional S3 endpoint: "https://s3.<region>.amazonaws.com".
std::string DefaultS3Endpoint(std::string_view region);

// "" when `listen` is a valid HOST:PORT, else the reason (used for the file and --listen).
std::string ValidateListen(std::string_view listen);

// One line per error: "<file>: <path>: <message>".
std::string FormatConfigErrors(std::string_view file, const std::vector<ConfigError>& errors);

}  // namespace pulse::exporter
