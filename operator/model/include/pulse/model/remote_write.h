// Remote write to a store beyond one Prometheus (VictoriaMetrics, Thanos Receive, Mimir, ...):
// declared once for the whole operator in a YAML file (`--remote-write-config FILE` of `render`
// and `run`, chart value `remoteWrite`) and rendered into every Prometheus config pulse writes
// (docs/remote-write.md). Credentials are never in the file: it names Secret keys, which the
// rendered config reads as files, like the scrape credentials of an ApiMonitor.
//
// The file (camelCase, like the custom resources and prometheus-operator's RemoteWriteSpec):
//   url: https://vm.example:8428/api/v1/write       required, http or https
//   name: victoriametrics                             optional, Prometheus' remote_write name
//   remoteTimeout: 30s                                optional
//   headers: {X-Scope-OrgID: tenant-1}                optional, not for credentials
//   secretNamespace: monitoring                       namespace of the Secrets below
//   basicAuth: {username: {name, key}, password: {name, key}}
//   bearerTokenSecret: {name, key}                    (not together with basicAuth)
//   tlsConfig: {ca, cert, key: {name, key}, serverName, insecureSkipVerify}
//   queueConfig: {capacity, minShards, maxShards, maxSamplesPerSend, batchSendDeadline,
//                 minBackoff, maxBackoff}
//   writeRelabelConfigs: [ ...relabelings as in an ApiMonitor endpoint... ]
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pulse/model/common_types.h"
#include "pulse/model/duration.h"
#include "pulse/model/error.h"

namespace pulse::model {

// Prometheus' queue_config; unset fields keep Prometheus' own defaults (left out of the config).
struct RemoteWriteQueue {
  std::optional<std::int64_t> capacity;              // samples buffered per shard
  std::optional<std::int64_t> min_shards;            // parallel senders, lower bound
  std::optional<std::int64_t> max_shards;            // parallel senders, upper bound
  std::optional<std::int64_t> max_samples_per_send;  // batch size
  std::optional<Duration> batch_send_deadline;       // longest wait for a batch to fill
  std::optional<Duration> min_backoff;               // retry backoff on recoverable errors
  std::optional<Duration> max_backoff;

  bool empty() const {
    return !capacity && !min_shards && !max_shards && !max_samples_per_send &&
           !batch_send_deadline && !min_backoff && !max_backoff;
  }
};

struct RemoteWrite {
  std::string url;
  std::string name;
  std::optional<Duration> remote_timeout;
  std::map<std::string, std::string> headers;
  // Namespace of every Secret referenced below (the file belongs to no namespace).
  std::string secret_namespace;
  std::optional<BasicAuth> basic_auth;
  std::optional<SecretKeySelector> bearer_token_secret;
  std::optional<TlsConfig> tls;
  RemoteWriteQueue queue;
  std::vector<RelabelConfig> write_relabel_configs;
};

// Remote-write files larger than this are refused whole: it is a handful of settings.
inline constexpr std::size_t kMaxRemoteWriteBytes = 64 * 1024;

struct RemoteWriteResult {
  RemoteWrite remote_write;   // meaningful only when errors is empty
  std::vector<Error> errors;  // every problem, each with `file` and the field path
};

// Parses and validates one remote-write file (one YAML or JSON document). Unknown keys, wrong
// types, a URL that is not http(s), numbers and durations out of range, contradictions
// (capacity below maxSamplesPerSend, minShards above maxShards, basic auth with a bearer token)
// and invalid Secret references are errors. `file` only labels the errors.
RemoteWriteResult ParseRemoteWrite(std::string_view text, std::string_view file);

// Every Secret key the remote write reads (basic auth, bearer token, TLS files), in a fixed
// order; all live in secret_namespace.
std::vector<SecretKeySelector> RemoteWriteSecretRefs(const RemoteWrite& remote_write);

}  // namespace pulse::model
