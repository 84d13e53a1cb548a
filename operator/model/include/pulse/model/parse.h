// Reading custom resources from text: JSON as the API server serves them, and (multi-document)
// YAML as users write them. Pure: no I/O, the caller hands over the text.
//
// Strict like `kubectl --validate=strict`: an unknown field, a wrong type or a malformed value is
// an error naming the field path. Inside `metadata` only the fields in ObjectMeta are read and
// the rest are ignored; a top-level `status` is ignored. Kinds:
//   - monitoring.pulse.dev/v1alpha1 ApiMonitor / Exporter: parsed, defaults applied;
//   - v1 Secret: kept (see secret.h);
//   - "List" / "*List" documents (kubectl get -o yaml, API list responses): their items parsed;
//   - any other Kubernetes kind (has apiVersion and kind): skipped with a note;
//   - other monitoring.pulse.dev kinds or versions, or a document without apiVersion/kind: error.
// Parsing checks types and shapes; Validate() (validate.h) checks meaning.
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <cstddef>
#include <string_view>

#include "pulse/model/objects.h"

namespace pulse::model {

// Inputs larger than this are refused whole (kOutOfRange) rather than parsed.
inline constexpr std::size_t kMaxInputBytes = 8 * 1024 * 1024;
// Nesting deeper than this is refused (kOutOfRange): guards the recursive parsers' stacks.
inline constexpr int kMaxNestingDepth = 64;

// One or more YAML documents ("---" separated). `file` is recorded in each object's Source and
// in every error; it is not opened.
ParseResult ParseYaml(std::string_view text, std::string_view file);

// One JSON object (or a List of them), as returned by the API server.
ParseResult ParseJson(std::string_view text, std::string_view file = "");

}  // namespace pulse::model
