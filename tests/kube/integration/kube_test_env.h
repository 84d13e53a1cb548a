// Shared helpers of the integration tests: the admin client config of the real test cluster,
// throwaway namespaces, and kubectl. Not thread-safe; call from the test's main thread.
#pragma once

#include <unistd.h>

#include <functional>
#include <string>

#include "pulse/kube/config.h"
#include "pulse/kube/rest_client.h"
#include "pulse/testenv/testenv.h"
#include "pulse/testing/eventually.h"

namespace pulse::kube::testing {

inline Config AdminConfig() { return LoadKubeconfig(testenv::Get("kube", "KUBECONFIG")); }

// Creates a namespace named prefix-<pid>-<n> and returns its name.
inline std::string CreateNamespace(const Client& client, const std::string& prefix) {
  static int n = 0;
  std::string name = prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  client.Create(Namespaces(), "",
                {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  return name;
}

// Runs kubectl against the test cluster; returns its exit status, output in *out.
inline int Kubectl(const std::string& args, std::string* out = nullptr) {
  return testenv::Shell("KUBECONFIG='" + testenv::Get("kube", "KUBECONFIG") + "' kubectl " + args,
                        out);
}

using pulse::testing::Eventually;

// The typed reason of the ApiError `fn` throws; kUnknown when it throws none.
inline Reason ReasonOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& e) {
    return e.reason();
  }
  return Reason::kUnknown;
}

inline Json ConfigMap(const std::string& name, const Json& data = Json::object(),
                      const Json& labels = Json::object()) {
  Json cm = {
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", data}};
  if (!labels.empty()) cm["metadata"]["labels"] = labels;
  return cm;
}

}  // namespace pulse::kube::testing
