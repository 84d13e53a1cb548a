#include "pulse/base/url.h"

#include <algorithm>
#include <cctype>

#include "pulse/base/exporter_limits.h"

namespace pulse::base {

std::string CheckBaseUrl(std::string_view url, bool allow_path) {
  if (url.size() > exporter_limits::kMaxUrlBytes) {
    return "is longer than " + std::to_string(exporter_limits::kMaxUrlBytes) + " bytes";
  }
  if (std::any_of(url.begin(), url.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u >= 0x7F;
      })) {
    return "must not contain spaces, control or non-ASCII characters";
  }
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return "must be an http:// or https:// URL with a host";
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return "must not carry user info (credentials come from Secrets)";
  }
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {  // [IPv6]
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return "has an unterminated [IPv6] host";
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return "has junk after the [IPv6] host";
    if (!after.empty()) port = after.substr(1);
    if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        })) {
      return "has an invalid IPv6 host";
    }
  } else {
    const std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (host.empty()) return "must be an http:// or https:// URL with a host";
    if (!std::all_of(host.begin(), host.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        })) {
      return "has an invalid host name";
    }
  }
  if (authority.find(':') != std::string_view::npos && !authority.starts_with('[') &&
      port.empty()) {
    return "has an empty port";
  }
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      return "has a port that is not a number";
    }
    const int n = std::stoi(std::string(port));
    if (n < 1 || n > 65535) return "has a port outside 1..65535";
  }
  if (path.find_first_of("?#") != std::string_view::npos) {
    return "must not have a query or fragment";
  }
  if (!allow_path && !path.empty() && path != "/") return "must not have a path";
  return "";
}

}  // namespace pulse::base
