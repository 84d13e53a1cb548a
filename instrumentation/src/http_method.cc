#include "pulse/red/http_method.h"

#include <array>

namespace pulse::red {
namespace {
constexpr std::array<std::string_view, kHttpMethodCount> kNames = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "OTHER"};
}

HttpMethod ParseHttpMethod(std::string_view method) noexcept {
  for (std::size_t i = 0; i + 1 < kNames.size(); ++i) {
    if (method == kNames[i]) return static_cast<HttpMethod>(i);
  }
  return HttpMethod::kOther;
}

std::string_view HttpMethodName(HttpMethod method) noexcept {
  const auto i = static_cast<std::size_t>(method);
  return i < kNames.size() ? kNames[i] : kNames.back();
}

}  // namespace pulse::red
