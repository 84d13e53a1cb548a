// Where the Kubernetes API is and how to authenticate to it: from a kubeconfig file (as kubectl
// uses) or from inside a pod (service-account token + CA bundle). TLS is always verified unless a
// kubeconfig explicitly sets `insecure-skip-tls-verify: true`.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pulse/http/client.h"

namespace pulse::kube {

// A kubeconfig or in-cluster setup that cannot be used; the message names the file and the
// field (e.g. "kubeconfig /x: users[admin].client-certificate-data: invalid base64").
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Plain value; copyable; thread-safe to read. `token` may be called from many threads.
struct Config {
  std::string server;  // e.g. https://127.0.0.1:6443
  http::TlsOptions tls;
  http::TokenProvider token;  // empty when the credentials are a client certificate only
  std::string default_namespace = "default";
  std::string source;  // for messages: "kubeconfig FILE context NAME" or "in-cluster"

  // Options for pulse::http::MakeClient (TLS, token, user agent); requests then use absolute
  // URLs under `server`.
  http::ClientOptions ToHttpOptions() const;
};

// Parses kubeconfig text. `context` empty = current-context. Relative file paths resolve
// against `base_dir`; `source_name` is used in error messages. Supported user credentials:
// client certificate/key (data or file), token, tokenFile. exec and auth-provider plugins are
// rejected with a ConfigError (they would run arbitrary programs).
Config ParseKubeconfig(std::string_view yaml, std::string_view context, const std::string& base_dir,
                       const std::string& source_name);

// Reads and parses a kubeconfig file.
Config LoadKubeconfig(const std::string& path, std::string_view context = {});

// Paths and environment for in-cluster configuration; the defaults are the standard ones.
struct InClusterOptions {
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
  // Reads an environment variable (default: std::getenv). Injectable for tests.
  std::function<std::optional<std::string>(const char*)> getenv;
};

// From KUBERNETES_SERVICE_HOST/PORT, the service-account token (re-read whenever the kubelet
// rotates it) and its CA bundle. Throws ConfigError when not running in a pod.
Config InClusterConfig(const InClusterOptions& options = {});

// $KUBECONFIG (first file), else in-cluster when KUBERNETES_SERVICE_HOST is set, else
// ~/.kube/config.
Config LoadDefaultConfig();

}  // namespace pulse::kube
