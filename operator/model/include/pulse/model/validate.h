// Checks what the CRD schema cannot: scrapeTimeout <= interval, relabel regexes compile with RE2
// (as Prometheus anchors them), label / metric / DNS names are legal, relabel actions have the
// fields they need, Secret references are complete (and resolve when the Secret is known), SLO
// objectives lie in (0, 100), numbers and durations stay within bounds, and no two objects
// render the same scrape job. The rules are listed in docs/crds.md.
//
// Every error is reported, each with its field path and offending value. An invalid object is
// rejected alone; the others stay valid (a duplicate job name rejects each offender).
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <string>
#include <vector>

#include "pulse/model/objects.h"

namespace pulse::model {

struct ValidateOptions {
  // When false (default), a Secret reference is checked against a Secret only if that Secret is
  // among the input's secrets (then the key must exist); unknown Secrets are assumed to exist in
  // the cluster. When true, every referenced Secret must be among the input's secrets.
  bool require_secrets = false;
};

// All errors of one rejected object.
struct ObjectErrors {
  std::string kind;
  std::string namespace_;
  std::string name;
  Source source;
  std::vector<Error> errors;  // never empty
};

struct ValidationResult {
  Objects valid;                       // the objects without errors, in input order
  std::vector<ObjectErrors> rejected;  // in input order (ApiMonitors, then Exporters)

  bool ok() const { return rejected.empty(); }
  // Every error of every rejected object, in order.
  std::vector<Error> AllErrors() const;
};

// Checks one object on its own (no cross-object rules). `secrets` may be empty.
std::vector<Error> ValidateApiMonitor(const ApiMonitor& monitor, const std::vector<Secret>& secrets,
                                      const ValidateOptions& options = {});
std::vector<Error> ValidateExporter(const Exporter& exporter, const std::vector<Secret>& secrets,
                                    const ValidateOptions& options = {});

// Checks every object, then the cross-object rules (duplicate identities / job names).
ValidationResult Validate(const Objects& objects, const ValidateOptions& options = {});

// Convenience for callers that parse then validate: the valid objects plus the parse errors
// and validation errors together, in that order.
struct CheckedObjects {
  Objects valid;
  std::vector<Error> errors;
  std::vector<std::string> notes;
};
CheckedObjects ValidateParsed(const ParseResult& parsed, const ValidateOptions& options = {});

}  // namespace pulse::model
