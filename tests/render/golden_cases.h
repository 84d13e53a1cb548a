// The inputs and options of each golden case (tests/render/golden/<name>/), shared by
// the golden test, the determinism test and the CLI test. Case names are also listed in
// CMakeLists.txt, which registers the promtool checks of each golden directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pulse/model/loader.h"
#include "pulse/model/validate.h"
#include "pulse/render/render_inputs.h"
#include "pulse/testenv/testenv.h"

namespace pulse::render::testing {

struct GoldenCase {
  std::string name;
  std::vector<std::string> inputs;  // relative to the source tree
  RenderOptions options;
};

inline std::vector<GoldenCase> GoldenCases() {
  std::vector<GoldenCase> cases;
  {
    GoldenCase c{"examples", {"examples/crs"}, {}};
    c.options.alertmanagers = {"alertmanager.monitoring.svc:9093"};
    cases.push_back(c);
  }
  {
    // A Prometheus outside the cluster (how the tests run it): api_server + TLS in every
    // kubernetes_sd_config.
    GoldenCase c{"external", {"examples/crs"}, {}};
    c.options.api_server =
        ExternalApiServer{"https://127.0.0.1:6443", "/etc/pulse/kube/ca.crt",
                          "/etc/pulse/kube/client.crt", "/etc/pulse/kube/client.key"};
    c.options.external_labels = {{"cluster", "test"}, {"replica", "a"}};
    c.options.alertmanagers = {"127.0.0.1:9093", "127.0.0.1:9094"};
    cases.push_back(c);
  }
  cases.push_back({"selectors", {"tests/render/testdata/selectors"}, {}});
  cases.push_back({"alerts", {"tests/render/testdata/alerts"}, {}});
  // Every field of the exporter config renderer (exporters/<ns>/<name>.yaml).
  cases.push_back({"exporter_configs", {"tests/render/testdata/exporter_configs"}, {}});
  return cases;
}

inline std::string SourcePath(const std::string& relative) {
  return (std::filesystem::path(testenv::SourceDir()) / relative).string();
}

// Loads and validates a case's inputs; every error is appended to *errors.
inline model::Objects LoadCase(const GoldenCase& c, std::vector<std::string>* errors) {
  std::vector<std::string> paths;
  for (const auto& p : c.inputs) paths.push_back(SourcePath(p));
  const model::CheckedObjects checked = model::ValidateParsed(model::LoadPaths(paths));
  for (const auto& e : checked.errors) errors->push_back(e.ToString());
  return checked.valid;
}

}  // namespace pulse::render::testing
