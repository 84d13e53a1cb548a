#include <array>

#include "decode.h"

namespace pulse::model::internal {
namespace {

// Standard base64 (RFC 4648 with padding), as Kubernetes stores Secret data.
std::optional<std::string> DecodeBase64(const std::string& in) {
  static const std::array<int, 256> kTable = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = i;
    return t;
  }();
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + k];
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return std::nullopt;  // data after padding
      v[k] = kTable[static_cast<unsigned char>(c)];
      if (v[k] < 0) return std::nullopt;
    }
    const int n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((n >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(n & 0xFF);
  }
  return out;
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
