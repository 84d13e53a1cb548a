#include "pulse/model/duration.h"

#include <stdexcept>

#include "pulse/base/duration.h"

namespace pulse::model {

// The grammar itself lives in pulse::base (shared with pulse-exporter's config parser); the
// model adds its error codes and keeps the user's text for rendering.
Result<Duration> ParseDuration(std::string_view text) {
  base::DurationParse parsed = base::ParseDuration(text);
  if (!parsed.ok()) {
    Error e;
    e.code = parsed.problem == base::DurationParse::Problem::kOutOfRange ? ErrorCode::kOutOfRange
                                                                         : ErrorCode::kInvalidValue;
    e.value = std::string(text);
    e.detail = std::move(parsed.detail);
    return e;
  }
  return Duration{parsed.value, std::string(text)};
}

std::string FormatDuration(std::chrono::milliseconds value) { return base::FormatDuration(value); }

Duration MakeDuration(std::string_view valid_text) {
  Result<Duration> d = ParseDuration(valid_text);
  if (!d.ok()) throw std::invalid_argument("MakeDuration: " + d.error().detail);
  return std::move(d).value();
}

}  // namespace pulse::model
