// HTTP methods as a closed set, so the `method` label has bounded cardinality.
#pragma once

#include <cstdint>
#include <string_view>

namespace pulse::red {

enum class HttpMethod : std::uint8_t {
  kGet,
  kHead,
  kPost,
  kPut,
  kDelete,
  kPatch,
  kOptions,
  kConnect,
  kTrace,
  kOther,  // any other token; HTTP methods are case-sensitive, so "get" is kOther
};
inline constexpr std::size_t kHttpMethodCount = 10;

// Pure, thread-safe.
HttpMethod ParseHttpMethod(std::string_view method) noexcept;
std::string_view HttpMethodName(HttpMethod method) noexcept;  // "GET", ..., "OTHER"

}  // namespace pulse::red
