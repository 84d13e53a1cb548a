#include "decode.h"
#include "pulse/base/base64.h"

namespace pulse::model::internal {
namespace {

// Standard base64 with padding and no whitespace, as the API server stores Secret data (the
// shared decoder is more lenient, for PEM and kubeconfig text).
std::optional<std::string> DecodeBase64(const std::string& in) {
  if (in.size() % 4 != 0 || in.find_first_of(" \t\r\n") != std::string::npos) return std::nullopt;
  return base::Base64Decode(in);
}

}  // namespace

std::optional<Secret> DecodeSecret(const json& object, const Source& source,
                                   std::vector<Error>& errors) {
  ErrorSink sink(ObjectPrototype(object, source, "Secret"));
  Secret s;
  s.source = source;
  ObjectReader top(sink, object, "");
  top.Field("apiVersion");
  top.Field("kind");
  top.Field("type");
  top.Field("immutable");
  ReadObjectMeta(top, s.metadata);
  if (const json* data = top.Field("data")) {
    std::map<std::string, std::string> encoded;
    if (ReadStringMap(sink, *data, "data", encoded)) {
      for (const auto& [key, value] : encoded) {
        if (auto decoded = DecodeBase64(value)) {
          s.data[key] = std::move(*decoded);
        } else {
          sink.Add(ErrorCode::kInvalidValue, "data." + key, "", "value is not valid base64");
        }
      }
    }
  }
  std::map<std::string, std::string> plain;
  top.StringMap("stringData", plain);
  for (auto& [key, value] : plain)
    s.data[key] = std::move(value);  // stringData wins, as in the API
  top.Finish();
  if (!sink.empty()) {
    for (Error& e : sink.errors()) errors.push_back(std::move(e));
    return std::nullopt;
  }
  return s;
}

}  // namespace pulse::model::internal
