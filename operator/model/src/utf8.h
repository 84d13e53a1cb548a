// Private: UTF-8 checks and safe quoting of user text in messages.
#pragma once

#include <string>
#include <string_view>

namespace pulse::model::internal {

bool IsValidUtf8(std::string_view s);

// The value as it should appear in an error message: control characters escaped (\n, \xNN),
// cut to at most `max_bytes` (on a character boundary) with "..." appended.
std::string Printable(std::string_view s, std::size_t max_bytes = 120);

}  // namespace pulse::model::internal
