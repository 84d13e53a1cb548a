#include "pulse/controller/delivery.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "pulse/controller/gzip.h"
#include "pulse/http/encoding.h"
#include "pulse/http/sigv4.h"

namespace pulse::controller {
namespace {

using base::Status;
using base::StatusCode;

Json Metadata(const std::string& name, const DeliveryOptions& options, const char* component,
              const std::string& content_hash) {
  Json meta = {{"name", name},
               {"namespace", options.namespace_},
               {"labels", {{kManagedByLabel, kManagedByValue}, {kComponentLabel, component}}},
               {"annotations", {{kContentHashAnnotation, content_hash}}}};
  return meta;
}

// The hash of a ConfigMap/Secret's data map: keys and values, in key order (std::map order).
std::string DataHash(const std::map<std::string, std::string>& data) {
  std::string all;
  for (const auto& [k, v] : data) {
    all += k;
    all.push_back('\0');
    all += std::to_string(v.size());
    all.push_back('\0');
    all += v;
  }
  return ContentHash(all);
}

// DNS-1123 subdomain from a file stem: lower case, [a-z0-9-.], no leading/trailing '-'/'.'.
std::string DnsName(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out.push_back(static_cast<char>(std::tolower(u)));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string BaseName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// FNV-1a: a stable bucket for a file name (not security relevant).
std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::string ContentHash(std::string_view data) { return http::sigv4::Sha256Hex(data); }

namespace {

// The parts of a config given as its gzip and the hash of its text.
std::vector<DeliveredObject> ConfigSecretsOf(const std::string& gz, const std::string& config_hash,
                                             const DeliveryOptions& options,
                                             std::string_view rules_digest) {
  const std::size_t part_bytes = std::max<std::size_t>(options.max_secret_payload_bytes, 1);
  const std::size_t parts = std::max<std::size_t>(1, (gz.size() + part_bytes - 1) / part_bytes);
  std::vector<DeliveredObject> out;
  // Parts 1..n-1 first, the head (part 0) last: the head is what readers watch.
  for (std::size_t i = 1; i <= parts; ++i) {
    const std::size_t index = i % parts;  // 1, 2, ..., n-1, then 0
    const std::string name =
        index == 0 ? options.config_secret : options.config_secret + "-" + std::to_string(index);
    const std::string payload = gz.substr(index * part_bytes, part_bytes);
    const std::map<std::string, std::string> data = {{kConfigDataKey, payload}};
    DeliveredObject obj{"Secret", name, DataHash(data), {}};
    Json meta = Metadata(name, options, "prometheus-config", obj.content_hash);
    meta["annotations"][kConfigHashAnnotation] = config_hash;
    meta["annotations"][kConfigPartAnnotation] =
        std::to_string(index) + "/" + std::to_string(parts);
    obj.object = {{"apiVersion", "v1"},
                  {"kind", "Secret"},
                  {"metadata", std::move(meta)},
                  {"type", "Opaque"},
                  {"data", {{kConfigDataKey, http::Base64Encode(payload)}}}};
    out.push_back(std::move(obj));
  }
  DeclareRules(out.back(), rules_digest);
  return out;
}

}  // namespace

std::vector<DeliveredObject> BuildConfigSecrets(std::string_view prometheus_yml,
                                                const DeliveryOptions& options,
                                                std::string_view rules_digest) {
  return ConfigSecretsOf(Gzip(prometheus_yml), ContentHash(prometheus_yml), options, rules_digest);
}

void ConfigSecretsBuilder::Append(std::string_view piece) {
  gzip_.Append(piece);
  sha_.Update(piece);
  bytes_ += piece.size();
}

std::vector<DeliveredObject> ConfigSecretsBuilder::Finish(const DeliveryOptions& options,
                                                          std::string_view rules_digest) {
  config_hash_ = sha_.HexDigest();
  return ConfigSecretsOf(gzip_.Finish(), config_hash_, options, rules_digest);
}

void DeclareRules(DeliveredObject& head, std::string_view rules_digest) {
  if (rules_digest.empty()) return;
  // The digest is part of the head's content hash: a change of the rules alone rewrites it.
  head.content_hash = ContentHash(head.content_hash + "\n" + std::string(rules_digest));
  Json& annotations = head.object["metadata"]["annotations"];
  annotations[kContentHashAnnotation] = head.content_hash;
  annotations[kRulesHashAnnotation] = rules_digest;
}

std::string RulesDigest(const std::map<std::string, std::string>& content_hash_by_name) {
  std::string all;
  for (const auto& [name, hash] : content_hash_by_name) {
    all += name;
    all.push_back('\0');
    all += hash;
    all.push_back('\n');
  }
  return ContentHash(all);
}

std::optional<std::string> DeliveredRuleHash(const Json& configmap) {
  if (!configmap.is_object() || !configmap.contains("metadata")) return std::nullopt;
  const Json& meta = configmap["metadata"];
  if (!meta.is_object() || !meta.contains("labels") || !meta["labels"].is_object()) {
    return std::nullopt;
  }
  const Json& labels = meta["labels"];
  if (labels.value(kManagedByLabel, "") != kManagedByValue ||
      labels.value(kComponentLabel, "") != "rules") {
    return std::nullopt;
  }
  if (!meta.contains("annotations") || !meta["annotations"].is_object()) return std::string();
  const Json& a = meta["annotations"];
  if (!a.contains(kContentHashAnnotation) || !a[kContentHashAnnotation].is_string()) {
    return std::string();
  }
  return a[kContentHashAnnotation].get<std::string>();
}

std::string DeclaredRulesDigest(std::span<const Json> secrets, const DeliveryOptions& options) {
  for (const Json& s : secrets) {
    const Json* meta = s.is_object() && s.contains("metadata") ? &s["metadata"] : nullptr;
    if (meta == nullptr || !meta->is_object() || meta->value("name", "") != options.config_secret) {
      continue;
    }
    if (!meta->contains("annotations") || !(*meta)["annotations"].is_object()) return "";
    const Json& a = (*meta)["annotations"];
    if (!a.contains(kRulesHashAnnotation) || !a[kRulesHashAnnotation].is_string()) return "";
    return a[kRulesHashAnnotation].get<std::string>();
  }
  return "";
}

DeliveredObject BuildCredentialsSecret(const std::map<std::string, std::string>& files,
                                       const DeliveryOptions& options) {
  DeliveredObject obj{"Secret", options.credentials_secret, DataHash(files), {}};
  Json data = Json::object();
  for (const auto& [key, value] : files) data[key] = http::Base64Encode(value);
  obj.object = {{"apiVersion", "v1"},
                {"kind", "Secret"},
                {"metadata", Metadata(obj.name, options, kCredentialsComponent, obj.content_hash)},
                {"type", "Opaque"},
                {"data", std::move(data)}};
  return obj;
}

std::map<std::string, std::string> CredentialFiles(const Json& secret) {
  std::map<std::string, std::string> out;
  if (!secret.contains("data") || !secret["data"].is_object()) return out;
  for (const auto& [key, value] : secret["data"].items()) {
    if (!value.is_string() || key.empty() || key == "." || key == ".." ||
        key.find('/') != std::string::npos) {
      continue;
    }
    if (auto decoded = http::Base64Decode(value.get<std::string>())) out[key] = std::move(*decoded);
  }
  return out;
}

std::string RuleConfigMapName(std::string_view file_key, std::size_t buckets,
                              const DeliveryOptions& options) {
  return options.rules_configmap + "-" +
         std::to_string(Fnv1a(file_key) % std::max<std::size_t>(buckets, 1));
}

base::StatusOr<std::vector<DeliveredObject>> BuildRuleConfigMaps(
    std::span<const render::RenderedFile> rule_files, const DeliveryOptions& options) {
  std::vector<std::pair<std::string, const std::string*>> files;
  for (const auto& f : rule_files) {
    const std::string key = BaseName(f.path);
    if (f.content.size() + key.size() > options.max_configmap_bytes) {
      return Status(StatusCode::kResourceExhausted,
                    "rule file " + f.path + " is " + std::to_string(f.content.size()) +
                        " bytes, above the " + std::to_string(options.max_configmap_bytes) +
                        "-byte ConfigMap limit");
    }
    files.emplace_back(key, &f.content);
  }
  std::sort(files.begin(), files.end());
  // Fewest power-of-two buckets at which every bucket fits.
  std::size_t buckets = 1;
  std::vector<std::map<std::string, std::string>> packed;
  for (;;) {
    packed.assign(buckets, {});
    std::vector<std::size_t> size(buckets, 0);
    bool fits = true;
    for (const auto& [key, content] : files) {
      const std::size_t b = Fnv1a(key) % buckets;
      size[b] += key.size() + content->size();
      if (size[b] > options.max_configmap_bytes) {
        fits = false;
        break;
      }
      packed[b].emplace(key, *content);
    }
    if (fits) break;
    buckets *= 2;
  }
  std::vector<DeliveredObject> out;
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::string name = options.rules_configmap + "-" + std::to_string(b);
    DeliveredObject obj{"ConfigMap", name, DataHash(packed[b]), {}};
    obj.object = {{"apiVersion", "v1"},
                  {"kind", "ConfigMap"},
                  {"metadata", Metadata(name, options, "rules", obj.content_hash)},
                  {"data", packed[b]}};
    out.push_back(std::move(obj));
  }
  return out;
}

std::string DashboardConfigMapName(std::string_view path, const DeliveryOptions& options) {
  const std::string key = BaseName(std::string(path));
  std::string stem = key.size() > 5 && key.ends_with(".json") ? key.substr(0, key.size() - 5) : key;
  std::string name = DnsName(options.dashboard_prefix + "-" + stem);
  if (name.size() > 253) name = name.substr(0, 240) + "-" + ContentHash(stem).substr(0, 12);
  return name;
}

std::vector<DeliveredObject> BuildDashboardConfigMaps(
    std::span<const render::RenderedFile> dashboards, const DeliveryOptions& options) {
  std::vector<DeliveredObject> out;
  for (const auto& f : dashboards) {
    std::string key = BaseName(f.path);
    const std::string name = DashboardConfigMapName(f.path, options);
    const std::map<std::string, std::string> data = {{key, f.content}};
    DeliveredObject obj{"ConfigMap", name, DataHash(data), {}};
    Json meta = Metadata(name, options, "dashboard", obj.content_hash);
    meta["labels"]["grafana_dashboard"] = "1";
    meta["annotations"]["grafana_folder"] = options.grafana_folder;
    obj.object = {
        {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", std::move(meta)}, {"data", data}};
    out.push_back(std::move(obj));
  }
  std::sort(out.begin(), out.end(),
            [](const DeliveredObject& a, const DeliveredObject& b) { return a.name < b.name; });
  return out;
}

base::StatusOr<std::string> AssembleConfig(std::span<const Json> secrets,
                                           const DeliveryOptions& options, std::size_t max_bytes) {
  // index -> (config hash, gzip payload)
  std::map<std::size_t, std::pair<std::string, std::string>> parts;
  std::size_t expected = 0;
  for (const Json& s : secrets) {
    const Json* annotations = nullptr;
    if (s.contains("metadata") && s["metadata"].contains("annotations")) {
      annotations = &s["metadata"]["annotations"];
    }
    if (annotations == nullptr || !annotations->contains(kConfigPartAnnotation) ||
        !annotations->contains(kConfigHashAnnotation)) {
      continue;  // not one of ours
    }
    const std::string part = (*annotations)[kConfigPartAnnotation].get<std::string>();
    const auto slash = part.find('/');
    std::size_t index = 0, total = 0;
    try {
      if (slash == std::string::npos) throw std::invalid_argument(part);
      index = std::stoul(part.substr(0, slash));
      total = std::stoul(part.substr(slash + 1));
    } catch (const std::exception&) {
      return Status(StatusCode::kDataLoss, "config Secret has a malformed part '" + part + "'");
    }
    if (total == 0 || index >= total || total > 1024) {
      return Status(StatusCode::kDataLoss, "config Secret has an impossible part '" + part + "'");
    }
    if (expected != 0 && expected != total) {
      return Status(StatusCode::kFailedPrecondition, "config parts disagree on their count");
    }
    expected = total;
    if (!s.contains("data") || !s["data"].contains(kConfigDataKey)) {
      return Status(StatusCode::kDataLoss, "config Secret part " + part + " has no data");
    }
    auto payload = http::Base64Decode(s["data"][kConfigDataKey].get<std::string>());
    if (!payload) {
      return Status(StatusCode::kDataLoss, "config Secret part " + part + " is not base64");
    }
    parts[index] = {(*annotations)[kConfigHashAnnotation].get<std::string>(), std::move(*payload)};
  }
  (void)options;
  if (expected == 0 || parts.size() != expected) {
    return Status(StatusCode::kFailedPrecondition, "config parts missing: have " +
                                                       std::to_string(parts.size()) + " of " +
                                                       std::to_string(expected));
  }
  const std::string& hash = parts.begin()->second.first;
  std::string gz;
  for (const auto& [index, part] : parts) {
    if (part.first != hash) {
      return Status(StatusCode::kFailedPrecondition, "config parts belong to different versions");
    }
    gz += part.second;
  }
  auto text = Gunzip(gz, max_bytes);
  if (!text.ok()) return text.status();
  if (ContentHash(*text) != hash) {
    return Status(StatusCode::kDataLoss, "config content does not match its hash " + hash);
  }
  return text;
}

}  // namespace pulse::controller
