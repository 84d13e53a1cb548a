// Pure YAML -> ExporterConfig translation with field-path errors. yaml-cpp types stay in this file.
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <limits>
#include <set>
#include <utility>

#include "pulse/base/duration.h"
#include "pulse/base/exporter_limits.h"
#include "pulse/base/url.h"
#include "pulse/exporter/config.h"

namespace pulse::exporter {
namespace {

namespace limits = base::exporter_limits;

constexpr std::size_t kMaxQuotedValue = 80;

// Quotes a user value for an error message, truncated so a huge value cannot flood the log.
std::string Quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value.substr(0, kMaxQuotedValue)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  if (value.size() > kMaxQuotedValue) out += "...";
  return out + "\"";
}

std::string KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return Quote(node.Scalar());
    case YAML::NodeType::Null:
      return "null";
    default:
      return "nothing";
  }
}

// Collects errors while walking the document; every accessor takes the node's field path.
class Walker {
 public:
  std::vector<ConfigError>& errors() { return errors_; }

  void Error(std::string path, std::string message) {
    errors_.push_back({std::move(path), std::move(message)});
  }

  // Rejects keys outside `allowed` (typos must not silently disable anything).
  bool CheckMap(const YAML::Node& node, const std::string& path,
                std::initializer_list<std::string_view> allowed) {
    if (!node.IsMap()) {
      Error(path, "must be a mapping, got " + KindName(node));
      return false;
    }
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) {
        Error(path, "keys must be strings");
        continue;
      }
      const std::string& key = kv.first.Scalar();
      bool known = false;
      for (auto a : allowed) known = known || a == key;
      if (!known) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        Error(Join(path, key), "unknown field (allowed: " + list + ")");
      }
    }
    return true;
  }

  static std::string Join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  std::optional<std::string> String(const YAML::Node& node, const std::string& path,
                                    bool required) {
    if (!node.IsDefined() || node.IsNull()) {
      if (required) Error(path, "is required");
      return std::nullopt;
    }
    if (!node.IsScalar()) {
      Error(path, "must be a string, got " + KindName(node));
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<std::string> NonEmptyString(const YAML::Node& node, const std::string& path,
                                            bool required) {
    auto s = String(node, path, required);
    if (s && s->empty()) {
      Error(path, "must not be empty");
      return std::nullopt;
    }
    return s;
  }

  std::optional<Duration> DurationField(const YAML::Node& node, const std::string& path,
                                        Duration min, Duration max) {
    auto s = String(node, path, false);
    if (!s) return std::nullopt;
    auto d = ParseDuration(*s);
    if (!d) {
      Error(path,
            "must be a Prometheus duration like 500ms, 30s, 1m30s, 5m, 1h or 7d, got " + Quote(*s));
      return std::nullopt;
    }
    if (*d < min || *d > max) {
      Error(path, "must be between " + base::FormatDuration(min) + " and " +
                      base::FormatDuration(max) + ", got " + Quote(*s));
      return std::nullopt;
    }
    return d;
  }

  std::optional<bool> Bool(const YAML::Node& node, const std::string& path) {
    auto s = String(node, path, false);
    if (!s) return std::nullopt;
    if (*s == "true") return true;
    if (*s == "false") return false;
    Error(path, "must be true or false, got " + Quote(*s));
    return std::nullopt;
  }

  // A list of at most max_items strings of at most max_bytes each (empty items only where
  // allow_empty). The bounds are the Exporter CR's (pulse/base/exporter_limits.h).
  std::vector<std::string> StringList(const YAML::Node& node, const std::string& path,
                                      std::size_t max_items, std::size_t max_bytes,
                                      bool allow_empty = false) {
    std::vector<std::string> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) {
      Error(path, "must be a list of strings, got " + KindName(node));
      return out;
    }
    if (node.size() > max_items) {
      Error(path, "has " + std::to_string(node.size()) + " items, at most " +
                      std::to_string(max_items) + " are allowed");
      return out;
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      if (!node[i].IsScalar()) {
        Error(item_path, "must be a string, got " + KindName(node[i]));
        continue;
      }
      const std::string& item = node[i].Scalar();
      if (item.empty() && !allow_empty) {
        Error(item_path, "must not be empty");
      } else if (item.size() > max_bytes) {
        Error(item_path, "is longer than " + std::to_string(max_bytes) + " bytes");
      }
      out.push_back(item);
    }
    return out;
  }

  // A credential: a plain string (only where allow_literal), {env: NAME} or {file: PATH}.
  std::optional<Credential> CredentialField(const YAML::Node& node, const std::string& path,
                                            bool required, bool allow_literal) {
    if (!node.IsDefined() || node.IsNull()) {
      if (required) Error(path, "is required");
      return std::nullopt;
    }
    if (node.IsScalar()) {
      if (!allow_literal) {
        // Do not quote the value: it is probably the secret itself.
        Error(path, "must be {env: VARIABLE} or {file: PATH}; secrets are never written inline");
        return std::nullopt;
      }
      if (node.Scalar().empty()) {
        Error(path, "must not be empty");
        return std::nullopt;
      }
      return Credential{Credential::Source::kLiteral, node.Scalar()};
    }
    if (!node.IsMap() || node.size() != 1) {
      Error(path, "must be {env: VARIABLE} or {file: PATH}, got " + KindName(node));
      return std::nullopt;
    }
    if (node["env"].IsDefined()) {
      auto name = NonEmptyString(node["env"], Join(path, "env"), true);
      if (!name) return std::nullopt;
      static const RE2 kEnvName("[A-Za-z_][A-Za-z0-9_]{0,254}");
      if (!RE2::FullMatch(*name, kEnvName)) {
        Error(Join(path, "env"), "is not a valid environment variable name: " + Quote(*name));
        return std::nullopt;
      }
      return Credential{Credential::Source::kEnv, *name};
    }
    if (node["file"].IsDefined()) {
      auto file = NonEmptyString(node["file"], Join(path, "file"), true);
      if (!file) return std::nullopt;
      return Credential{Credential::Source::kFile, *file};
    }
    CheckMap(node, path, {"env", "file"});
    return std::nullopt;
  }

 private:
  std::vector<ConfigError> errors_;
};

// The same rules as the Exporter custom resource (pulse/base/url.h): one contract.
bool ValidBaseUrl(const std::string& url, bool allow_path, std::string* why) {
  *why = base::CheckBaseUrl(url, allow_path);
  return why->empty();
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// tls: {ca_file, cert_file, key_file, server_name, insecure_skip_verify}; nullopt when absent.
// The files are checked for readability by CheckCredentials (--check and startup), not here:
// the parser is pure.
std::optional<TlsFiles> ParseTls(Walker& w, const YAML::Node& node, const std::string& path) {
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  if (!w.CheckMap(node, path,
                  {"ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"}))
    return std::nullopt;
  TlsFiles tls;
  if (auto f = w.NonEmptyString(node["ca_file"], path + ".ca_file", false)) tls.ca_file = *f;
  if (auto f = w.NonEmptyString(node["cert_file"], path + ".cert_file", false)) tls.cert_file = *f;
  if (auto f = w.NonEmptyString(node["key_file"], path + ".key_file", false)) tls.key_file = *f;
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    // A client certificate without its key (or the reverse) cannot be used; say which is missing.
    w.Error(path + (tls.cert_file.empty() ? ".cert_file" : ".key_file"),
            "is required when " + std::string(tls.cert_file.empty() ? "key_file" : "cert_file") +
                " is set (a client certificate needs its key)");
  }
  if (auto name = w.NonEmptyString(node["server_name"], path + ".server_name", false)) {
    // Same bound as the CR's serverName (a DNS name); the TLS library judges the rest.
    bool control = false;
    for (char c : *name) control = control || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    if (name->size() > 253 || control) {
      w.Error(path + ".server_name",
              "must be a host name of at most 253 printable characters, got " + Quote(*name));
    }
    tls.server_name = *name;
  }
  if (auto b = w.Bool(node["insecure_skip_verify"], path + ".insecure_skip_verify"))
    tls.insecure_skip_verify = *b;
  return tls;
}

void ParseRabbitMq(Walker& w, const YAML::Node& node, const std::string& path, RabbitMqSpec& out) {
  if (!w.CheckMap(node, path,
                  {"url", "username", "password", "tls", "vhosts", "dead_letter_queues"}))
    return;
  if (auto url = w.NonEmptyString(node["url"], path + ".url", true)) {
    std::string why;
    if (!ValidBaseUrl(*url, true, &why)) {
      w.Error(path + ".url", why + ", got " + Quote(*url));
    }
    out.url = TrimSlash(*url);
  }
  out.tls = ParseTls(w, node["tls"], path + ".tls");
  if (auto c = w.CredentialField(node["username"], path + ".username", true, true))
    out.username = *c;
  if (auto c = w.CredentialField(node["password"], path + ".password", true, false))
    out.password = *c;
  out.vhosts =
      w.StringList(node["vhosts"], path + ".vhosts", limits::kMaxVhosts, limits::kMaxVhostBytes);
  const YAML::Node dlq = node["dead_letter_queues"];
  const std::string dpath = path + ".dead_letter_queues";
  if (dlq.IsDefined() && !dlq.IsNull() && w.CheckMap(dlq, dpath, {"names", "regex", "discover"})) {
    out.dead_letter_queues.names = w.StringList(
        dlq["names"], dpath + ".names", limits::kMaxDeadLetterQueues, limits::kMaxQueueNameBytes);
    if (auto re = w.String(dlq["regex"], dpath + ".regex", false)) {
      if (re->size() > limits::kMaxDeadLetterQueueRegexBytes) {
        w.Error(
            dpath + ".regex",
            "is longer than " + std::to_string(limits::kMaxDeadLetterQueueRegexBytes) + " bytes");
      } else {
        RE2 compiled(*re, RE2::Quiet);
        if (!compiled.ok()) {
          w.Error(dpath + ".regex",
                  "is not a valid RE2 expression (" + compiled.error() + "): " + Quote(*re));
        }
        out.dead_letter_queues.regex = *re;
      }
    }
    if (auto b = w.Bool(dlq["discover"], dpath + ".discover")) out.dead_letter_queues.discover = *b;
  }
}

std::optional<int> Port(Walker& w, const YAML::Node& node, const std::string& path) {
  auto s = w.String(node, path, false);
  if (!s) return std::nullopt;
  int port = 0;
  auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), port);
  if (ec != std::errc() || ptr != s->data() + s->size() || port < 1 || port > 65535) {
    w.Error(path, "must be an integer in 1..65535, got " + Quote(*s));
    return std::nullopt;
  }
  return port;
}

void ParsePostgres(Walker& w, const YAML::Node& node, const std::string& path, PostgresSpec& out) {
  if (!w.CheckMap(node, path,
                  {"host", "port", "user", "password", "dbname", "sslmode", "statement_timeout",
                   "database_size_interval", "databases"}))
    return;
  if (auto host = w.NonEmptyString(node["host"], path + ".host", true)) {
    static const RE2 kHost(R"([A-Za-z0-9._:\[\]/-]{1,253})");
    if (!RE2::FullMatch(*host, kHost)) {
      w.Error(path + ".host", "is not a host name, address or socket directory: " + Quote(*host));
    }
    out.host = *host;
  }
  if (auto p = Port(w, node["port"], path + ".port")) out.port = *p;
  if (auto c = w.CredentialField(node["user"], path + ".user", true, true)) out.user = *c;
  out.password = w.CredentialField(node["password"], path + ".password", false, false);
  if (auto db = w.NonEmptyString(node["dbname"], path + ".dbname", false)) out.dbname = *db;
  if (auto mode = w.String(node["sslmode"], path + ".sslmode", false)) {
    static const std::set<std::string> kModes = {"disable", "allow",     "prefer",
                                                 "require", "verify-ca", "verify-full"};
    if (!kModes.contains(*mode)) {
      w.Error(path + ".sslmode",
              "must be one of disable, allow, prefer, require, verify-ca, verify-full, got " +
                  Quote(*mode));
    }
    out.sslmode = *mode;
  }
  if (auto d = w.DurationField(node["statement_timeout"], path + ".statement_timeout",
                               limits::kMinTimeout, limits::kMaxTimeout)) {
    out.statement_timeout = *d;
  }
  if (auto d = w.DurationField(node["database_size_interval"], path + ".database_size_interval",
                               limits::kMinRefreshInterval, limits::kMaxRefreshInterval)) {
    out.database_size_interval = *d;
  }
  out.databases = w.StringList(node["databases"], path + ".databases", limits::kMaxDatabases,
                               limits::kMaxDatabaseNameBytes);
}

void ParseS3(Walker& w, const YAML::Node& node, const std::string& path, S3Spec& out) {
  if (!w.CheckMap(node, path,
                  {"endpoint", "region", "addressing", "access_key_id", "secret_access_key",
                   "session_token", "tls", "buckets"}))
    return;
  const auto ep = w.NonEmptyString(node["endpoint"], path + ".endpoint", false);
  if (ep) {
    std::string why;
    if (!ValidBaseUrl(*ep, false, &why)) w.Error(path + ".endpoint", why + ", got " + Quote(*ep));
    out.endpoint = TrimSlash(*ep);
  }
  if (auto region = w.NonEmptyString(node["region"], path + ".region", true)) {
    static const RE2 kRegion("[a-z0-9-]{1,64}");
    if (!RE2::FullMatch(*region, kRegion)) {
      w.Error(path + ".region",
              "must be lower-case letters, digits and '-', got " + Quote(*region));
    }
    out.region = *region;
    if (!ep) out.endpoint = DefaultS3Endpoint(*region);
  }
  // Without an endpoint the target is AWS, whose default style is virtual-host; a self-hosted
  // endpoint keeps the historical path-style default (most such servers need it).
  out.virtual_host = !ep;
  if (auto mode = w.String(node["addressing"], path + ".addressing", false)) {
    if (*mode == "virtual") {
      out.virtual_host = true;
    } else if (*mode == "path") {
      out.virtual_host = false;
    } else {
      w.Error(path + ".addressing", "must be path or virtual, got " + Quote(*mode));
    }
  }
  out.tls = ParseTls(w, node["tls"], path + ".tls");
  if (auto c = w.CredentialField(node["access_key_id"], path + ".access_key_id", true, false))
    out.access_key_id = *c;
  if (auto c =
          w.CredentialField(node["secret_access_key"], path + ".secret_access_key", true, false))
    out.secret_access_key = *c;
  out.session_token =
      w.CredentialField(node["session_token"], path + ".session_token", false, false);
  const YAML::Node buckets = node["buckets"];
  const std::string bpath = path + ".buckets";
  if (!buckets.IsDefined() || buckets.IsNull()) {
    w.Error(bpath, "is required (at least one bucket)");
    return;
  }
  if (!buckets.IsSequence() || buckets.size() == 0) {
    w.Error(bpath, "must be a non-empty list, got " + KindName(buckets));
    return;
  }
  if (buckets.size() > limits::kMaxBuckets) {
    w.Error(bpath, "has " + std::to_string(buckets.size()) + " buckets, at most " +
                       std::to_string(limits::kMaxBuckets) + " are allowed");
    return;
  }
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const std::string ipath = bpath + "[" + std::to_string(i) + "]";
    if (!w.CheckMap(buckets[i], ipath, {"name", "prefixes"})) continue;
    S3Bucket bucket;
    if (auto name = w.NonEmptyString(buckets[i]["name"], ipath + ".name", true)) {
      // S3 bucket naming rules (lower-case, digits, '.', '-', 3..63) keep URLs unambiguous.
      static const RE2 kBucket("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
      if (!RE2::FullMatch(*name, kBucket)) {
        w.Error(ipath + ".name", "is not a valid S3 bucket name: " + Quote(*name));
      }
      bucket.name = *name;
    }
    bucket.prefixes = w.StringList(buckets[i]["prefixes"], ipath + ".prefixes",
                                   limits::kMaxPrefixesPerBucket, limits::kMaxPrefixBytes,
                                   /*allow_empty=*/true);
    if (bucket.prefixes.empty()) bucket.prefixes.push_back("");
    out.buckets.push_back(std::move(bucket));
  }
}

void ParseTarget(Walker& w, const YAML::Node& node, const std::string& path, Duration interval,
                 Duration timeout, std::set<std::string>& names, ExporterConfig& config) {
  if (!w.CheckMap(node, path,
                  {"name", "type", "interval", "timeout", "rabbitmq", "postgresql", "s3"}))
    return;
  TargetConfig target;
  target.interval = interval;
  target.timeout = timeout;
  if (auto name = w.NonEmptyString(node["name"], path + ".name", true)) {
    static const RE2 kName("[A-Za-z0-9_.-]{1,63}");
    if (!RE2::FullMatch(*name, kName)) {
      w.Error(path + ".name", "must be 1-63 characters of A-Z a-z 0-9 _ . -, got " + Quote(*name));
    } else if (!names.insert(*name).second) {
      w.Error(path + ".name", "duplicates another target's name " + Quote(*name));
    }
    target.name = *name;
  }
  if (auto d = w.DurationField(node["interval"], path + ".interval", limits::kMinRefreshInterval,
                               limits::kMaxRefreshInterval))
    target.interval = *d;
  if (auto d = w.DurationField(node["timeout"], path + ".timeout", limits::kMinTimeout,
                               limits::kMaxTimeout))
    target.timeout = *d;
  auto type = w.NonEmptyString(node["type"], path + ".type", true);
  if (!type) return;
  std::string block;
  if (*type == "rabbitmq") {
    target.type = TargetType::kRabbitMq;
    target.spec = RabbitMqSpec{};
  } else if (*type == "postgresql") {
    target.type = TargetType::kPostgreSql;
    target.spec = PostgresSpec{};
  } else if (*type == "s3") {
    target.type = TargetType::kS3;
    target.spec = S3Spec{};
  } else {
    w.Error(path + ".type",
            "unknown target type " + Quote(*type) + " (must be rabbitmq, postgresql or s3)");
    return;
  }
  block = *type;
  for (std::string_view other : {"rabbitmq", "postgresql", "s3"}) {
    if (other != block && node[std::string(other)].IsDefined()) {
      w.Error(path + "." + std::string(other),
              "does not belong to a target of type " + Quote(block));
    }
  }
  const YAML::Node spec = node[block];
  const std::string spath = path + "." + block;
  if (!spec.IsDefined() || spec.IsNull()) {
    w.Error(spath, "is required for a target of type " + Quote(block));
    return;
  }
  switch (target.type) {
    case TargetType::kRabbitMq:
      ParseRabbitMq(w, spec, spath, std::get<RabbitMqSpec>(target.spec));
      break;
    case TargetType::kPostgreSql:
      ParsePostgres(w, spec, spath, std::get<PostgresSpec>(target.spec));
      break;
    case TargetType::kS3:
      ParseS3(w, spec, spath, std::get<S3Spec>(target.spec));
      break;
  }
  config.targets.push_back(std::move(target));
}

}  // namespace

std::string_view TargetTypeName(TargetType type) {
  switch (type) {
    case TargetType::kRabbitMq:
      return "rabbitmq";
    case TargetType::kPostgreSql:
      return "postgresql";
    case TargetType::kS3:
      return "s3";
  }
  return "unknown";
}

std::string ValidateListen(std::string_view listen) {
  static const RE2 kListen(R"((\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5}))");
  int port = 0;
  if (listen.size() > 300 ||
      !RE2::FullMatch(re2::StringPiece(listen.data(), listen.size()), kListen, nullptr, &port) ||
      port < 0 || port > 65535) {
    // Port 0 lets the kernel pick a free port (tests); the exporter logs the one it got.
    return "must be HOST:PORT, got " + Quote(listen);
  }
  return "";
}

std::optional<Duration> ParseDuration(std::string_view text) {
  const base::DurationParse parsed = base::ParseDuration(text);
  if (!parsed.ok()) return std::nullopt;
  return parsed.value;
}

std::string DefaultS3Endpoint(std::string_view region) {
  return "https://s3." + std::string(region) + ".amazonaws.com";
}

ConfigParseResult ParseConfig(std::string_view yaml_text) {
  ConfigParseResult result;
  if (yaml_text.size() > kMaxConfigBytes) {
    result.errors.push_back({"", "config is " + std::to_string(yaml_text.size()) +
                                     " bytes, more than the limit of " +
                                     std::to_string(kMaxConfigBytes)});
    return result;
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    result.errors.push_back({"", "invalid YAML at line " + std::to_string(e.mark.line + 1) +
                                     ", column " + std::to_string(e.mark.column + 1) + ": " +
                                     e.msg});
    return result;
  }
  Walker w;
  ExporterConfig config;
  if (!root.IsDefined() || root.IsNull()) {
    w.Error("", "config is empty");
    result.errors = std::move(w.errors());
    return result;
  }
  if (!w.CheckMap(root, "", {"listen", "defaults", "targets"})) {
    result.errors = std::move(w.errors());
    return result;
  }
  if (auto listen = w.NonEmptyString(root["listen"], "listen", false)) {
    if (auto why = ValidateListen(*listen); !why.empty()) w.Error("listen", why);
    config.listen = *listen;
  }
  Duration interval = std::chrono::seconds(30);
  Duration timeout = std::chrono::seconds(10);
  const YAML::Node defaults = root["defaults"];
  if (defaults.IsDefined() && !defaults.IsNull() &&
      w.CheckMap(defaults, "defaults", {"interval", "timeout"})) {
    if (auto d = w.DurationField(defaults["interval"], "defaults.interval",
                                 limits::kMinRefreshInterval, limits::kMaxRefreshInterval))
      interval = *d;
    if (auto d = w.DurationField(defaults["timeout"], "defaults.timeout", limits::kMinTimeout,
                                 limits::kMaxTimeout))
      timeout = *d;
  }
  const YAML::Node targets = root["targets"];
  if (!targets.IsDefined() || targets.IsNull()) {
    w.Error("targets", "is required (at least one target)");
  } else if (!targets.IsSequence() || targets.size() == 0) {
    w.Error("targets", "must be a non-empty list, got " + KindName(targets));
  } else if (targets.size() > kMaxTargets) {
    w.Error("targets", "has " + std::to_string(targets.size()) + " targets, at most " +
                           std::to_string(kMaxTargets) + " are allowed");
  } else {
    std::set<std::string> names;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      ParseTarget(w, targets[i], "targets[" + std::to_string(i) + "]", interval, timeout, names,
                  config);
    }
  }
  result.errors = std::move(w.errors());
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

std::string FormatConfigErrors(std::string_view file, const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += std::string(file) + ": " + (e.path.empty() ? "" : e.path + ": ") + e.message + "\n";
  }
  return out;
}

}  // namespace pulse::exporter
