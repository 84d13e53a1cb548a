// Private: strict, path-tracking reading of JSON values into model structs. Every problem
// becomes an Error in the ErrorSink; reading carries on so that one pass reports everything.
//
// Thread-safety: an ErrorSink / ObjectReader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pulse/model/common_types.h"
#include "pulse/model/duration.h"
#include "pulse/model/error.h"

namespace pulse::model::internal {

using nlohmann::json;

// Collects the errors of one object; every error gets the object's file/kind/namespace/name.
class ErrorSink {
 public:
  explicit ErrorSink(Error prototype) : prototype_(std::move(prototype)) {}
  void Add(ErrorCode code, std::string path, std::string value, std::string detail);
  bool empty() const { return errors_.empty(); }
  std::vector<Error>& errors() { return errors_; }

 private:
  Error prototype_;
  std::vector<Error> errors_;
};

// "string \"abc\"", "integer 5", "number 1.5", "boolean true", "map", "list", "null".
std::string Describe(const json& value);
// The value as a user would write it: strings bare, others as compact JSON; printable and short.
std::string ValueText(const json& value);
// Joins a path and a key: ("spec", "red") -> "spec.red"; ("", "spec") -> "spec".
std::string Join(const std::string& path, std::string_view key);
// ("spec.endpoints", 2) -> "spec.endpoints[2]".
std::string Index(const std::string& path, std::size_t index);

// Readers of single values. Each returns false (after adding an error) when the type is wrong.
bool ReadString(ErrorSink& sink, const json& v, const std::string& path, std::string& out);
bool ReadBool(ErrorSink& sink, const json& v, const std::string& path, bool& out);
bool ReadInt(ErrorSink& sink, const json& v, const std::string& path, std::int64_t min,
             std::int64_t max, std::int64_t& out);
bool ReadNumber(ErrorSink& sink, const json& v, const std::string& path, double& out);
bool ReadDuration(ErrorSink& sink, const json& v, const std::string& path, Duration& out);
bool ReadStringList(ErrorSink& sink, const json& v, const std::string& path,
                    std::vector<std::string>& out);
bool ReadStringMap(ErrorSink& sink, const json& v, const std::string& path,
                   std::map<std::string, std::string>& out);
// A Kubernetes quantity ("100m", "64Mi", 2): int-or-string, kept as text.
bool ReadQuantity(ErrorSink& sink, const json& v, const std::string& path, std::string& out);

// Reads the fields of one JSON object. Finish() reports every field nobody asked for.
class ObjectReader {
 public:
  // Adds a type error when `value` is not an object; all reads then do nothing.
  ObjectReader(ErrorSink& sink, const json& value, std::string path);
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  bool ok() const { return ok_; }
  ErrorSink& sink() { return sink_; }
  const std::string& path() const { return path_; }
  std::string Child(std::string_view key) const { return Join(path_, key); }

  // The field's value, or nullptr when absent or null (null means "not set", like Kubernetes).
  // When `required`, absence is a kMissingField error.
  const json* Field(std::string_view key, bool required = false);

  void String(std::string_view key, std::string& out, bool required = false);
  void Bool(std::string_view key, bool& out);
  void Int(std::string_view key, std::int64_t min, std::int64_t max, std::int64_t& out);
  void Number(std::string_view key, std::optional<double>& out);
  void Dur(std::string_view key, Duration& out);
  void Dur(std::string_view key, std::optional<Duration>& out);
  void StringList(std::string_view key, std::vector<std::string>& out);
  void StringMap(std::string_view key, std::map<std::string, std::string>& out);
  // An enum from its exact spelling; unknown spellings are kInvalidValue listing the allowed ones.
  template <typename E>
  void Enum(std::string_view key, const std::vector<std::pair<std::string, E>>& values, E& out,
            bool required = false);

  // Keys in `ignored` are accepted without being read (e.g. metadata the API server adds).
  void Finish(const std::set<std::string, std::less<>>& ignored = {});

 private:
  ErrorSink& sink_;
  const json& value_;
  std::string path_;
  bool ok_;
  std::set<std::string, std::less<>> seen_;
};

// Calls read(item, item_path) for each element of the list field `key` (type-checked).
template <typename F>
void ForEach(ObjectReader& r, std::string_view key, F read) {
  const json* v = r.Field(key);
  if (v == nullptr) return;
  const std::string path = r.Child(key);
  if (!v->is_array()) {
    r.sink().Add(ErrorCode::kType, path, ValueText(*v), "expected a list, got " + Describe(*v));
    return;
  }
  for (std::size_t i = 0; i < v->size(); ++i) read((*v)[i], Index(path, i));
}

template <typename E>
void ObjectReader::Enum(std::string_view key, const std::vector<std::pair<std::string, E>>& values,
                        E& out, bool required) {
  const json* v = Field(key, required);
  if (v == nullptr) return;
  std::string text;
  if (!ReadString(sink_, *v, Child(key), text)) return;
  std::string allowed;
  for (const auto& [name, e] : values) {
    if (name == text) {
      out = e;
      return;
    }
    allowed += allowed.empty() ? "" : ", ";
    allowed += name;
  }
  sink_.Add(ErrorCode::kInvalidValue, Child(key), ValueText(*v),
            "unsupported value \"" + ValueText(*v) + "\" (want one of: " + allowed + ")");
}

// Shared pieces of the schema.
void ReadSecretKeySelector(ErrorSink& sink, const json& v, const std::string& path,
                           SecretKeySelector& out);
void ReadOptionalSecretKeySelector(ObjectReader& r, std::string_view key,
                                   std::optional<SecretKeySelector>& out);
void ReadTls(ObjectReader& r, std::string_view key, std::optional<TlsConfig>& out);
// {username, password}, both required SecretKeySelectors.
void ReadBasicAuth(ObjectReader& r, std::string_view key, std::optional<BasicAuth>& out);
void ReadRelabelConfigs(ObjectReader& r, std::string_view key, std::vector<RelabelConfig>& out);
void ReadResources(ObjectReader& r, std::string_view key, ResourceRequirements& out);

}  // namespace pulse::model::internal
