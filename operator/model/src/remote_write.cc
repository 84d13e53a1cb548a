// The remote-write file (pulse/model/remote_write.h): strict reading, then range and consistency
// checks, so a typo or a hostile value is an error that names its field and never a config
// Prometheus rejects at reload.
#include "pulse/model/remote_write.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>

#include "checks.h"
#include "json_reader.h"
#include "utf8.h"
#include "yaml_documents.h"

namespace pulse::model {
namespace {

using internal::ErrorSink;
using internal::Join;
using internal::json;
using internal::ObjectReader;
using internal::Quote;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

// Bounds chosen to keep a typo from exhausting Prometheus' memory (capacity x shards samples are
// buffered) while allowing every setting the Prometheus docs suggest for large installations.
constexpr std::int64_t kMaxCapacity = 1'000'000;
constexpr std::int64_t kMaxShards = 1'000;
constexpr std::int64_t kMaxSamplesPerSend = 100'000;
constexpr std::size_t kMaxUrlLength = 2048;
constexpr std::size_t kMaxHeaders = 32;

// Headers Prometheus sets itself and refuses in remote_write.headers; credentials go through
// basicAuth / bearerTokenSecret so they stay out of the config.
constexpr std::string_view kReservedHeaders[] = {"authorization",
                                                 "content-encoding",
                                                 "content-length",
                                                 "content-type",
                                                 "host",
                                                 "user-agent",
                                                 "x-prometheus-remote-write-version",
                                                 "proxy-authorization"};

void ReadQueue(ObjectReader& parent, RemoteWriteQueue& q) {
  const json* v = parent.Field("queueConfig");
  if (v == nullptr) return;
  ObjectReader r(parent.sink(), *v, parent.Child("queueConfig"));
  auto count = [&](std::string_view key, std::int64_t max, std::optional<std::int64_t>& out) {
    if (const json* f = r.Field(key)) {
      std::int64_t n = 0;
      if (internal::ReadInt(r.sink(), *f, r.Child(key), 1, max, n)) out = n;
    }
  };
  count("capacity", kMaxCapacity, q.capacity);
  count("minShards", kMaxShards, q.min_shards);
  count("maxShards", kMaxShards, q.max_shards);
  count("maxSamplesPerSend", kMaxSamplesPerSend, q.max_samples_per_send);
  r.Dur("batchSendDeadline", q.batch_send_deadline);
  r.Dur("minBackoff", q.min_backoff);
  r.Dur("maxBackoff", q.max_backoff);
  r.Finish();
}

void ReadDocument(ErrorSink& sink, const json& doc, RemoteWrite& out) {
  ObjectReader r(sink, doc, "");
  r.String("url", out.url, true);
  r.String("name", out.name);
  r.Dur("remoteTimeout", out.remote_timeout);
  r.StringMap("headers", out.headers);
  r.String("secretNamespace", out.secret_namespace);
  internal::ReadBasicAuth(r, "basicAuth", out.basic_auth);
  internal::ReadOptionalSecretKeySelector(r, "bearerTokenSecret", out.bearer_token_secret);
  internal::ReadTls(r, "tlsConfig", out.tls);
  ReadQueue(r, out.queue);
  internal::ReadRelabelConfigs(r, "writeRelabelConfigs", out.write_relabel_configs);
  r.Finish();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void CheckUrl(ErrorSink& sink, const std::string& url) {
  if (url.empty()) return;  // reported as missing already
  const std::string shown = internal::Printable(url);
  if (url.size() > kMaxUrlLength) {
    sink.Add(ErrorCode::kOutOfRange, "url", shown,
             std::to_string(url.size()) + " characters, at most " + std::to_string(kMaxUrlLength) +
                 " allowed");
    return;
  }
  const bool printable = std::all_of(url.begin(), url.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
  if (!printable) {
    sink.Add(ErrorCode::kInvalidValue, "url", shown,
             "must not contain spaces, control or non-ASCII characters (percent-encode them)");
    return;
  }
  const std::string lower = Lower(url);
  std::size_t rest = 0;
  if (lower.rfind("http://", 0) == 0) {
    rest = 7;
  } else if (lower.rfind("https://", 0) == 0) {
    rest = 8;
  } else {
    sink.Add(ErrorCode::kInvalidValue, "url", shown,
             Quote(url) + " must start with http:// or https://");
    return;
  }
  const std::string authority = url.substr(rest, url.find_first_of("/?#", rest) - rest);
  if (authority.find('@') != std::string::npos) {
    // Credentials in the URL would land in the rendered config (and its ConfigMap/Secret).
    sink.Add(ErrorCode::kInvalidValue, "url", "(redacted)",
             "must not contain user:password@; use basicAuth with a Secret");
  } else if (authority.empty() || authority.front() == ':') {
    sink.Add(ErrorCode::kInvalidValue, "url", shown, Quote(url) + " has no host");
  } else if (url.find('#') != std::string::npos) {
    sink.Add(ErrorCode::kInvalidValue, "url", shown, Quote(url) + " must not have a #fragment");
  }
}

void CheckHeaders(ErrorSink& sink, const std::map<std::string, std::string>& headers) {
  if (headers.size() > kMaxHeaders) {
    sink.Add(ErrorCode::kOutOfRange, "headers", std::to_string(headers.size()) + " headers",
             "at most " + std::to_string(kMaxHeaders) + " headers allowed");
    return;
  }
  for (const auto& [name, value] : headers) {
    const std::string at = Join("headers", name);
    const bool token =
        !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
                 c == '.';
        });
    if (!token) {
      sink.Add(ErrorCode::kInvalidValue, "headers", internal::Printable(name),
               Quote(name) + " is not a valid header name ([-._a-zA-Z0-9], at most 128)");
      continue;
    }
    const std::string lower = Lower(name);
    if (std::find(std::begin(kReservedHeaders), std::end(kReservedHeaders), lower) !=
        std::end(kReservedHeaders)) {
      sink.Add(ErrorCode::kInvalidValue, at, "",
               Quote(name) + " is set by Prometheus itself or carries credentials (use " +
                   "basicAuth / bearerTokenSecret)");
      continue;
    }
    const bool printable =
        value.size() <= 1024 && std::all_of(value.begin(), value.end(), [](char c) {
          const auto u = static_cast<unsigned char>(c);
          return u >= 0x20 && u != 0x7f;
        });
    if (!printable) {
      sink.Add(ErrorCode::kInvalidValue, at, internal::Printable(value),
               "must be at most 1024 characters without control characters");
    }
  }
}

void CheckName(ErrorSink& sink, const std::string& name) {
  if (name.empty()) return;
  const bool ok =
      name.size() <= 100 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
      });
  if (!ok) {
    sink.Add(ErrorCode::kInvalidValue, "name", internal::Printable(name),
             Quote(name) + " is not a valid name ([-._a-zA-Z0-9], at most 100 characters)");
  }
}

void CheckQueue(ErrorSink& sink, const RemoteWriteQueue& q) {
  const std::string at = "queueConfig";
  if (q.batch_send_deadline) {
    internal::CheckDurationRange(sink, Join(at, "batchSendDeadline"), *q.batch_send_deadline,
                                 milliseconds(1), minutes(10));
  }
  if (q.min_backoff) {
    internal::CheckDurationRange(sink, Join(at, "minBackoff"), *q.min_backoff, milliseconds(1),
                                 minutes(10));
  }
  if (q.max_backoff) {
    internal::CheckDurationRange(sink, Join(at, "maxBackoff"), *q.max_backoff, milliseconds(1),
                                 hours(1));
  }
  if (q.min_backoff && q.max_backoff && q.min_backoff->value > q.max_backoff->value) {
    sink.Add(ErrorCode::kConflict, Join(at, "minBackoff"), q.min_backoff->text,
             q.min_backoff->text + " exceeds maxBackoff " + q.max_backoff->text);
  }
  if (q.min_shards && q.max_shards && *q.min_shards > *q.max_shards) {
    sink.Add(ErrorCode::kConflict, Join(at, "minShards"), std::to_string(*q.min_shards),
             std::to_string(*q.min_shards) + " exceeds maxShards " + std::to_string(*q.max_shards));
  }
  // A batch never fills past the queue: Prometheus would send partial batches forever.
  if (q.capacity && q.max_samples_per_send && *q.capacity < *q.max_samples_per_send) {
    sink.Add(ErrorCode::kConflict, Join(at, "capacity"), std::to_string(*q.capacity),
             std::to_string(*q.capacity) + " is below maxSamplesPerSend " +
                 std::to_string(*q.max_samples_per_send));
  }
}

void Check(ErrorSink& sink, const RemoteWrite& rw) {
  CheckUrl(sink, rw.url);
  CheckName(sink, rw.name);
  if (rw.remote_timeout) {
    internal::CheckDurationRange(sink, "remoteTimeout", *rw.remote_timeout, milliseconds(1),
                                 minutes(10));
  }
  CheckHeaders(sink, rw.headers);
  const std::vector<SecretKeySelector> refs = RemoteWriteSecretRefs(rw);
  if (!rw.secret_namespace.empty() && !internal::IsDns1123Label(rw.secret_namespace)) {
    sink.Add(ErrorCode::kInvalidValue, "secretNamespace", internal::Printable(rw.secret_namespace),
             Quote(rw.secret_namespace) + " is not a valid namespace name (a DNS-1123 label)");
  } else if (rw.secret_namespace.empty() && !refs.empty()) {
    sink.Add(ErrorCode::kMissingField, "secretNamespace", "",
             "required when basicAuth, bearerTokenSecret or tlsConfig name a Secret");
  }
  const std::vector<Secret> no_secrets;  // the Secrets are resolved where Prometheus runs
  if (rw.basic_auth) {
    internal::CheckSecretRef(sink, "basicAuth.username", rw.basic_auth->username,
                             rw.secret_namespace, no_secrets, false);
    internal::CheckSecretRef(sink, "basicAuth.password", rw.basic_auth->password,
                             rw.secret_namespace, no_secrets, false);
  }
  if (rw.bearer_token_secret) {
    internal::CheckSecretRef(sink, "bearerTokenSecret", *rw.bearer_token_secret,
                             rw.secret_namespace, no_secrets, false);
    if (rw.basic_auth) {
      sink.Add(ErrorCode::kConflict, "bearerTokenSecret", "",
               "basicAuth and bearerTokenSecret are mutually exclusive");
    }
  }
  if (rw.tls)
    internal::CheckTls(sink, "tlsConfig", *rw.tls, rw.secret_namespace, no_secrets, false);
  CheckQueue(sink, rw.queue);
  internal::CheckRelabelConfigs(sink, "writeRelabelConfigs", rw.write_relabel_configs);
}

}  // namespace

std::vector<SecretKeySelector> RemoteWriteSecretRefs(const RemoteWrite& rw) {
  std::vector<SecretKeySelector> refs;
  if (rw.basic_auth) {
    refs.push_back(rw.basic_auth->username);
    refs.push_back(rw.basic_auth->password);
  }
  if (rw.bearer_token_secret) refs.push_back(*rw.bearer_token_secret);
  if (rw.tls) {
    for (const auto* ref : {&rw.tls->ca, &rw.tls->cert, &rw.tls->key}) {
      if (*ref) refs.push_back(**ref);
    }
  }
  return refs;
}

RemoteWriteResult ParseRemoteWrite(std::string_view text, std::string_view file) {
  RemoteWriteResult out;
  Error prototype;
  prototype.file = std::string(file);
  ErrorSink sink(prototype);
  if (text.size() > kMaxRemoteWriteBytes) {
    sink.Add(
        ErrorCode::kOutOfRange, "", std::to_string(text.size()) + " bytes",
        "input is larger than the limit of " + std::to_string(kMaxRemoteWriteBytes) + " bytes");
    out.errors = std::move(sink.errors());
    return out;
  }
  std::size_t documents = 0;
  for (const internal::YamlDocument& doc : internal::ReadYamlDocuments(text)) {
    if (!doc.error.empty()) {
      sink.Add(ErrorCode::kSyntax, "", "", doc.error);
      continue;
    }
    if (doc.empty) continue;
    if (++documents > 1) {
      sink.Add(ErrorCode::kInvalidValue, "", "", "expected one YAML document");
      break;
    }
    ReadDocument(sink, doc.value, out.remote_write);
  }
  if (documents == 0 && sink.empty()) {
    sink.Add(ErrorCode::kMissingField, "url", "", "the file is empty; it needs at least url");
  }
  if (sink.empty()) Check(sink, out.remote_write);
  out.errors = std::move(sink.errors());
  if (!out.errors.empty()) out.remote_write = {};
  return out;
}

}  // namespace pulse::model
