// kubeconfig parsing (the file format kubectl uses). Pure apart from reading referenced files
// lazily in the HTTP layer; errors name the file and the field.
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "pulse/http/encoding.h"
#include "pulse/kube/config.h"
#include "pulse/kube/token_file.h"

namespace pulse::kube {
namespace {

class Parser {
 public:
  Parser(std::string source, std::string base_dir)
      : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

  [[noreturn]] void Fail(const std::string& field, const std::string& what) const {
    throw ConfigError("kubeconfig " + source_ + ": " + field + ": " + what);
  }

  std::string String(const YAML::Node& parent, const char* key, const std::string& field) const {
    const YAML::Node n = parent[key];
    if (!n || n.IsNull()) return {};
    if (!n.IsScalar()) Fail(field + "." + key, "must be a string");
    return n.Scalar();
  }

  bool Bool(const YAML::Node& parent, const char* key, const std::string& field) const {
    const YAML::Node n = parent[key];
    if (!n || n.IsNull()) return false;
    if (!n.IsScalar()) Fail(field + "." + key, "must be true or false");
    const std::string& v = n.Scalar();
    if (v == "true" || v == "True" || v == "TRUE") return true;
    if (v == "false" || v == "False" || v == "FALSE") return false;
    Fail(field + "." + key, "must be true or false, got '" + v + "'");
  }

  std::string Data(const YAML::Node& parent, const char* key, const std::string& field) const {
    const std::string raw = String(parent, key, field);
    if (raw.empty()) return {};
    auto decoded = http::Base64Decode(raw);
    if (!decoded) Fail(field + "." + key, "invalid base64");
    if (decoded->empty()) Fail(field + "." + key, "empty after base64 decoding");
    return *decoded;
  }

  std::string Path(const YAML::Node& parent, const char* key, const std::string& field) const {
    std::string p = String(parent, key, field);
    if (!p.empty() && p[0] != '/' && !base_dir_.empty()) p = base_dir_ + "/" + p;
    return p;
  }

  // The entry named `name` of the list `list_key` (clusters/users/contexts), as its inner
  // `inner_key` map.
  YAML::Node Find(const YAML::Node& root, const char* list_key, const char* inner_key,
                  const std::string& name) const {
    const YAML::Node list = root[list_key];
    if (!list || list.IsNull()) Fail(list_key, "missing (looking for '" + name + "')");
    if (!list.IsSequence()) Fail(list_key, "must be a list");
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node entry = list[i];
      const std::string field = std::string(list_key) + "[" + std::to_string(i) + "]";
      if (!entry.IsMap()) Fail(field, "must be a map");
      if (String(entry, "name", field) != name) continue;
      const YAML::Node inner = entry[inner_key];
      if (!inner || !inner.IsMap()) {
        Fail(std::string(list_key) + "[" + name + "]." + inner_key, "missing or not a map");
      }
      return inner;
    }
    Fail(list_key, "no entry named '" + name + "'");
  }

 private:
  std::string source_;
  std::string base_dir_;
};

}  // namespace

http::ClientOptions Config::ToHttpOptions() const {
  http::ClientOptions o;
  o.tls = tls;
  o.user_agent = "pulse-operator";
  o.token = token;
  return o;
}

Config ParseKubeconfig(std::string_view yaml, std::string_view context_name,
                       const std::string& base_dir, const std::string& source_name) {
  Parser p(source_name, base_dir);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw ConfigError("kubeconfig " + source_name + ": not valid YAML: " + e.what());
  }
  if (!root.IsMap()) p.Fail("(document)", "must be a map");

  std::string ctx_name(context_name);
  if (ctx_name.empty()) ctx_name = p.String(root, "current-context", "");
  if (ctx_name.empty()) p.Fail("current-context", "not set and no context was named");
  const YAML::Node ctx = p.Find(root, "contexts", "context", ctx_name);
  const std::string ctx_field = "contexts[" + ctx_name + "].context";
  const std::string cluster_name = p.String(ctx, "cluster", ctx_field);
  const std::string user_name = p.String(ctx, "user", ctx_field);
  if (cluster_name.empty()) p.Fail(ctx_field + ".cluster", "missing");

  Config cfg;
  cfg.source = "kubeconfig " + source_name + " context " + ctx_name;
  const std::string ns = p.String(ctx, "namespace", ctx_field);
  if (!ns.empty()) cfg.default_namespace = ns;

  const YAML::Node cluster = p.Find(root, "clusters", "cluster", cluster_name);
  const std::string cf = "clusters[" + cluster_name + "].cluster";
  cfg.server = p.String(cluster, "server", cf);
  if (cfg.server.empty()) p.Fail(cf + ".server", "missing");
  if (cfg.server.rfind("https://", 0) != 0 && cfg.server.rfind("http://", 0) != 0) {
    p.Fail(cf + ".server", "must start with https:// or http://, got '" + cfg.server + "'");
  }
  while (!cfg.server.empty() && cfg.server.back() == '/') cfg.server.pop_back();
  cfg.tls.ca_data = p.Data(cluster, "certificate-authority-data", cf);
  cfg.tls.ca_file = p.Path(cluster, "certificate-authority", cf);
  cfg.tls.insecure_skip_verify = p.Bool(cluster, "insecure-skip-tls-verify", cf);
  if (cfg.tls.insecure_skip_verify && (!cfg.tls.ca_data.empty() || !cfg.tls.ca_file.empty())) {
    p.Fail(cf, "insecure-skip-tls-verify together with a certificate authority is contradictory");
  }
  if (!p.String(cluster, "proxy-url", cf).empty()) p.Fail(cf + ".proxy-url", "not supported");
  if (!p.String(cluster, "tls-server-name", cf).empty()) {
    p.Fail(cf + ".tls-server-name", "not supported");
  }

  if (!user_name.empty()) {
    const YAML::Node user = p.Find(root, "users", "user", user_name);
    const std::string uf = "users[" + user_name + "].user";
    if (user["exec"]) p.Fail(uf + ".exec", "exec credential plugins are not supported");
    if (user["auth-provider"]) p.Fail(uf + ".auth-provider", "auth providers are not supported");
    if (user["username"] || user["password"]) p.Fail(uf, "basic authentication is not supported");
    cfg.tls.client_cert_data = p.Data(user, "client-certificate-data", uf);
    cfg.tls.client_cert_file = p.Path(user, "client-certificate", uf);
    cfg.tls.client_key_data = p.Data(user, "client-key-data", uf);
    cfg.tls.client_key_file = p.Path(user, "client-key", uf);
    const bool has_cert = !cfg.tls.client_cert_data.empty() || !cfg.tls.client_cert_file.empty();
    const bool has_key = !cfg.tls.client_key_data.empty() || !cfg.tls.client_key_file.empty();
    if (has_cert != has_key) p.Fail(uf, "client certificate and client key must be given together");
    std::string token = p.String(user, "token", uf);
    const std::string token_file = p.Path(user, "tokenFile", uf);
    if (!token.empty()) {
      cfg.token = [token] { return token; };
    } else if (!token_file.empty()) {
      auto tf = std::make_shared<TokenFile>(token_file);
      cfg.token = [tf] { return tf->Token(); };
    }
  }
  return cfg;
}

Config LoadKubeconfig(const std::string& path, std::string_view context) {
  std::ifstream in(path);
  if (!in) throw ConfigError("kubeconfig " + path + ": cannot read the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  return ParseKubeconfig(ss.str(), context, dir, path);
}

Config LoadDefaultConfig() {
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    std::string first(env);
    first = first.substr(0, first.find(':'));
    return LoadKubeconfig(first);
  }
  if (const char* host = std::getenv("KUBERNETES_SERVICE_HOST"); host != nullptr && *host) {
    return InClusterConfig();
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr) throw ConfigError("no KUBECONFIG, not in a cluster, and no HOME");
  return LoadKubeconfig(std::string(home) + "/.kube/config");
}

}  // namespace pulse::kube
