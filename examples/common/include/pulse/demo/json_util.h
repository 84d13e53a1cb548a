// JSON request-body helpers for the demo handlers: parse or answer 400 with the reason.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "pulse/demo/http_server.h"

namespace pulse::demo {

// The body as a JSON object, or a 400 response naming what is wrong.
inline std::optional<nlohmann::json> ParseObject(const std::string& body, HttpResponse* error) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    *error = HttpResponse::Error(400, "request body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

// A required string field (non-empty, at most max_len bytes).
inline std::optional<std::string> StringField(const nlohmann::json& j, const char* name,
                                              HttpResponse* error, std::size_t max_len = 200) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty() ||
      it->get<std::string>().size() > max_len) {
    *error = HttpResponse::Error(400, std::string("field \"") + name +
                                          "\" must be a non-empty string of at most " +
                                          std::to_string(max_len) + " bytes");
    return std::nullopt;
  }
  return it->get<std::string>();
}

// A required number field within [lo, hi].
inline std::optional<double> NumberField(const nlohmann::json& j, const char* name,
                                         HttpResponse* error, double lo, double hi) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_number() || it->get<double>() < lo || it->get<double>() > hi) {
    *error = HttpResponse::Error(400, std::string("field \"") + name + "\" must be a number in [" +
                                          std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return std::nullopt;
  }
  return it->get<double>();
}

// A path parameter that must be a positive integer id.
inline std::optional<long long> IdParam(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::stoll(s);
}

}  // namespace pulse::demo
