// A set of objects read from files or the API server, grouped by kind.
//
// Thread-safety: plain values.
#pragma once

#include <string>
#include <vector>

#include "pulse/model/api_monitor.h"
#include "pulse/model/error.h"
#include "pulse/model/exporter.h"
#include "pulse/model/secret.h"

namespace pulse::model {

struct Objects {
  std::vector<ApiMonitor> api_monitors;
  std::vector<Exporter> exporters;
  std::vector<Secret> secrets;  // only from files; see secret.h
};

// Outcome of parsing: every object that parsed, every error (each object that failed to parse
// is left out and reported alone), and notes about input that was skipped on purpose (other
// Kubernetes kinds, empty documents).
struct ParseResult {
  Objects objects;
  std::vector<Error> errors;
  std::vector<std::string> notes;  // e.g. "a.yaml: document 2: skipped v1 ConfigMap default/x"
};

}  // namespace pulse::model
