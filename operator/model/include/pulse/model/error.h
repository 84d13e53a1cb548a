// The one error model of the operator's model layer: every problem found while reading or
// checking custom resources is an Error that names the file, the object, the field path and the
// offending value, so a user can fix it without guessing.
//
// Thread-safety: plain values; safe to share between threads once built.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pulse::model {

// What went wrong. None of these is worth retrying with the same input: the user has to change
// the resource. Only kIo (a file that could not be read) may succeed on a later attempt.
enum class ErrorCode {
  kSyntax,           // the text is not valid YAML / JSON
  kType,             // a field has the wrong type (string where an integer belongs, ...)
  kUnknownField,     // a field the schema does not define (strict, like kubectl --validate=strict)
  kMissingField,     // a required field is absent or empty
  kInvalidValue,     // the value is malformed (bad duration, regex, label name, enum value, ...)
  kOutOfRange,       // a number, length or duration outside its documented bounds
  kConflict,         // a contradiction between fields (scrapeTimeout > interval, selector + static)
  kDuplicate,        // two objects claim the same identity or scrape job name
  kUnresolved,       // a reference (Secret, key) that cannot be resolved
  kUnsupportedKind,  // apiVersion/kind that pulse does not handle
  kIo,               // reading a file or directory failed
};

// Stable lower-case name of a code, e.g. "invalid_value" (used in logs, metrics and tests).
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInvalidValue;
  std::string file;        // source file, "" when the object came from the API server
  std::string kind;        // "ApiMonitor", "Exporter", "" when the object is not identified
  std::string namespace_;  // object namespace, "" when unknown
  std::string name;        // object name, "" when unknown
  std::string path;    // field path such as "spec.endpoints[0].scrapeTimeout", "" for a document
  std::string value;   // the offending value as text ("" when the problem is an absence)
  std::string detail;  // human explanation, e.g. "30s exceeds interval 15s"

  // "<file>: <Kind> <ns>/<name>: <path>: <detail>", leaving out the parts that are empty, e.g.
  // "examples/shop.yaml: ApiMonitor default/shop: spec.endpoints[0].scrapeTimeout: 30s exceeds
  // interval 15s".
  std::string ToString() const;
};

// Either a value or an Error. Small on purpose: the model only needs "did it work, and if not why".
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace pulse::model
