// Configuration inside a pod: the API server's Service from the environment the kubelet sets,
// the projected service-account token (re-read as it rotates) and the cluster CA bundle.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "pulse/kube/config.h"
#include "pulse/kube/token_file.h"

namespace pulse::kube {

Config InClusterConfig(const InClusterOptions& options) {
  auto getenv =
      options.getenv ? options.getenv : [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  const auto host = getenv("KUBERNETES_SERVICE_HOST");
  const auto port = getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !port) {
    throw ConfigError(
        "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (not running "
        "in a pod?)");
  }
  if (port->find_first_not_of("0123456789") != std::string::npos) {
    throw ConfigError("in-cluster: KUBERNETES_SERVICE_PORT is not a number: '" + *port + "'");
  }
  Config cfg;
  cfg.source = "in-cluster";
  // An IPv6 service address needs brackets in a URL.
  const bool v6 = host->find(':') != std::string::npos;
  cfg.server = "https://" + (v6 ? "[" + *host + "]" : *host) + ":" + *port;
  if (!std::ifstream(options.ca_file)) {
    throw ConfigError("in-cluster: cannot read CA bundle '" + options.ca_file + "'");
  }
  cfg.tls.ca_file = options.ca_file;
  auto tf = std::make_shared<TokenFile>(options.token_file);
  try {
    tf->Token();  // fail now, with the file name, rather than on the first request
  } catch (const std::exception& e) {
    throw ConfigError(std::string("in-cluster: ") + e.what());
  }
  cfg.token = [tf] { return tf->Token(); };
  std::ifstream ns(options.namespace_file);
  std::string name;
  if (ns && std::getline(ns, name) && !name.empty()) cfg.default_namespace = name;
  return cfg;
}

}  // namespace pulse::kube
