// Shared helpers of the integration tests: the admin client config of the real test cluster,
// throwaway namespaces, and kubectl. Not thread-safe; call from the test's main thread.
#pragma once

#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "pulse/kube/config.h"
#include "pulse/kube/rest_client.h"
#include "pulse/testenv/testenv.h"

namespace pulse::kube::testing {

inline Config AdminConfig() { return LoadKubeconfig(testenv::Get("kube", "KUBECONFIG")); }

// Creates a namespace named prefix-<pid>-<n> and returns its name.
inline std::string CreateNamespace(const Client& client, const std::string& prefix) {
  static int n = 0;
  const std::string name = prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  client.Create(Namespaces(), "",
                {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  return name;
}

// Runs kubectl against the test cluster; returns its exit status, output in *out.
inline int Kubectl(const std::string& args, std::string* out = nullptr) {
  return testenv::Shell("KUBECONFIG='" + testenv::Get("kube", "KUBECONFIG") + "' kubectl " + args,
                        out);
}

// Polls `cond` every 50 ms until true or `timeout`; returns its last value.
inline bool Eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

inline Json ConfigMap(const std::string& name, const Json& data = Json::object(),
                      const Json& labels = Json::object()) {
  Json cm = {
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", data}};
  if (!labels.empty()) cm["metadata"]["labels"] = labels;
  return cm;
}

}  // namespace pulse::kube::testing
