// What the operator writes into the API for Prometheus and Grafana, as pure functions of the
// rendered files: the Prometheus config as gzip in one or more Secrets, the rule files packed
// into ConfigMaps, one ConfigMap per dashboard for Grafana's dashboard sidecar. Each object
// carries the SHA-256 of its content in an annotation, so the reconciler writes an object only
// when that hash differs from the live one. The config sync uses AssembleConfig to read the
// Secrets back. Layout and reasons: docs/config-delivery.md.
//
// Thread-safety: pure functions over plain values.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pulse/base/status.h"
#include "pulse/controller/gzip.h"
#include "pulse/http/sigv4.h"
#include "pulse/render/render_inputs.h"

namespace pulse::controller {

using Json = nlohmann::json;

// Annotation holding the SHA-256 (hex) of an object's content (data, labels excluded).
inline constexpr const char* kContentHashAnnotation = "monitoring.pulse.dev/content-hash";
// On config Secrets: SHA-256 of the whole uncompressed prometheus.yml, and "i/n" part numbers.
inline constexpr const char* kConfigHashAnnotation = "monitoring.pulse.dev/config-hash";
inline constexpr const char* kConfigPartAnnotation = "monitoring.pulse.dev/config-part";
// On the head config Secret: the RulesDigest of the rule ConfigMaps delivered with this config.
// Secret and ConfigMap events reach the config sync through separate watches, in no set order;
// the sync compares this with the rule ConfigMaps it has seen before it trusts a head change
// as a complete delivery (config_sync.h).
inline constexpr const char* kRulesHashAnnotation = "monitoring.pulse.dev/rules-hash";
// Data key of each config Secret: one gzip part.
inline constexpr const char* kConfigDataKey = "prometheus.yaml.gz";
// Labels on everything the operator delivers (the config sync and the cleanup select on them).
inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedByValue = "pulse-operator";
inline constexpr const char* kComponentLabel = "app.kubernetes.io/component";

struct DeliveryOptions {
  std::string namespace_ = "pulse-system";                // where Prometheus and Grafana run
  std::string config_secret = "pulse-prometheus-config";  // parts: <name>, <name>-1, ...
  std::string rules_configmap = "pulse-rules";            // <name>-0, <name>-1, ...
  std::string dashboard_prefix = "pulse-dashboard";       // <prefix>-<dashboard file stem>
  // Copies of the Secret keys the scrape jobs reference (BuildCredentialsSecret); "" = none
  // generated (Prometheus then reads them from RenderOptions::secrets_dir).
  std::string credentials_secret = "pulse-scrape-credentials";
  std::string grafana_folder = "pulse";
  // Payload bytes per object. etcd refuses objects above ~1.5 MiB; Secrets and ConfigMaps are
  // capped at 1 MiB by the API server. Secret data is base64 (4/3), so a 1 MiB Secret holds
  // 768 KiB of gzip.
  std::size_t max_secret_payload_bytes = 768 * 1024;
  std::size_t max_configmap_bytes = 512 * 1024;
};

// One object to apply: kind "Secret" or "ConfigMap", its name and the full JSON (apiVersion,
// kind, metadata with labels and annotations, data) ready for server-side apply.
struct DeliveredObject {
  std::string kind;
  std::string name;
  std::string content_hash;
  Json object;
};

// The Prometheus config in Secrets. The head Secret <config_secret> always exists and is the one
// the config sync watches; further parts are <config_secret>-1 ... and every part carries the
// whole config's hash, so a reader never mixes parts of two versions. Apply the parts in order,
// head last. A non-empty `rules_digest` (RulesDigest) goes on the head as kRulesHashAnnotation
// and into its content hash, so a change of the rules alone rewrites the head too: every
// delivery ends with a head change.
std::vector<DeliveredObject> BuildConfigSecrets(std::string_view prometheus_yml,
                                                const DeliveryOptions& options,
                                                std::string_view rules_digest = {});

// BuildConfigSecrets for a config that arrives in pieces (render::RenderPrometheusConfig's
// sink): only its gzip and a running hash are held, never the whole text (13 MB at 10,000
// monitors). Append every piece, then Finish once.
class ConfigSecretsBuilder {
 public:
  void Append(std::string_view piece);
  std::vector<DeliveredObject> Finish(const DeliveryOptions& options,
                                      std::string_view rules_digest = {});
  std::size_t bytes() const { return bytes_; }
  // ContentHash of the whole config; set by Finish.
  const std::string& config_hash() const { return config_hash_; }

 private:
  GzipStream gzip_;
  http::sigv4::Sha256Stream sha_;
  std::size_t bytes_ = 0;
  std::string config_hash_;
};

// Puts `rules_digest` on a head config Secret (BuildConfigSecrets' last object) after the
// fact, as BuildConfigSecrets(..., rules_digest) would have: the config can then be built (and
// its text dropped) before the rule ConfigMaps exist. No-op for an empty digest.
void DeclareRules(DeliveredObject& head, std::string_view rules_digest);

// The digest of a set of rule ConfigMaps, given as name -> content hash
// (kContentHashAnnotation). Order-free: a map.
std::string RulesDigest(const std::map<std::string, std::string>& content_hash_by_name);

// The content hash of a rule ConfigMap the operator delivered (labels managed-by pulse-operator
// and component "rules"), as RulesDigest takes it; nullopt for any other object.
std::optional<std::string> DeliveredRuleHash(const Json& configmap);

// The reader's side of kRulesHashAnnotation: the digest the head Secret among `secrets`
// declares, "" when the head is absent or declares none (written by an older operator).
std::string DeclaredRulesDigest(std::span<const Json> secrets, const DeliveryOptions& options);

// The scrape credentials Secret <credentials_secret> (component "scrape-credentials"): one key
// per referenced Secret key (render::CredentialFileName -> value), which the config sync writes
// as files (mode 0600) into the directory the config names (RenderOptions::credentials_dir).
// Apply it before the config Secrets: a new config may name a new file.
DeliveredObject BuildCredentialsSecret(const std::map<std::string, std::string>& files,
                                       const DeliveryOptions& options);
inline constexpr const char* kCredentialsComponent = "scrape-credentials";

// The reader's side: the files of a credentials Secret (base64-decoded data). Keys that are not
// plain file names are left out.
std::map<std::string, std::string> CredentialFiles(const Json& secret);

// Rule files (path "rules/x.yaml" -> key "x.yaml") packed into ConfigMaps of at most
// max_configmap_bytes each. A file goes to the bucket its name hashes to, and the number of
// buckets is the smallest power of two at which every bucket fits, so adding or changing one
// file rewrites one ConfigMap, not all that follow it. Fails with kResourceExhausted when one
// file alone exceeds the limit.
base::StatusOr<std::vector<DeliveredObject>> BuildRuleConfigMaps(
    std::span<const render::RenderedFile> rule_files, const DeliveryOptions& options);

// The rule ConfigMap that holds rule file `file_key` ("x.yaml") when there are `buckets` of
// them (BuildRuleConfigMaps' layout).
std::string RuleConfigMapName(std::string_view file_key, std::size_t buckets,
                              const DeliveryOptions& options);

// The ConfigMap name of a rendered dashboard ("dashboards/x.json" -> <dashboard_prefix>-x as a
// DNS name). Not injective ('_' and '.' become '-'): two objects whose names differ only there
// collide, which the operator treats as a duplicate output (accepted_objects.h).
std::string DashboardConfigMapName(std::string_view path, const DeliveryOptions& options);

// One ConfigMap per dashboard JSON, labelled grafana_dashboard: "1" and annotated with
// grafana_folder, as Grafana's dashboard sidecar expects.
std::vector<DeliveredObject> BuildDashboardConfigMaps(
    std::span<const render::RenderedFile> dashboards, const DeliveryOptions& options);

// The reader's side: the config from the Secrets' JSON (any order; the head and its parts).
// Fails with kFailedPrecondition when parts are missing or belong to different versions (the
// writer is mid-update: read again on the next change), kDataLoss when the content does not
// match its hash, kResourceExhausted beyond max_bytes.
base::StatusOr<std::string> AssembleConfig(std::span<const Json> secrets,
                                           const DeliveryOptions& options, std::size_t max_bytes);

// Lower-case hex SHA-256.
std::string ContentHash(std::string_view data);

}  // namespace pulse::controller
