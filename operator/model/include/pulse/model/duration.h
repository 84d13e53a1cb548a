// Prometheus-style durations ("30s", "1m30s", "5m", "1h", "30d", "0"), kept both typed and as
// the user's text so rendered output can repeat exactly what the user wrote.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "pulse/model/error.h"

namespace pulse::model {

struct Duration {
  std::chrono::milliseconds value{0};
  std::string text;  // as written, e.g. "1m30s"; always a valid Prometheus duration

  friend bool operator==(const Duration& a, const Duration& b) { return a.value == b.value; }
  friend auto operator<=>(const Duration& a, const Duration& b) { return a.value <=> b.value; }
};

// Parses the Prometheus duration syntax: units y (365d), w, d, h, m, s, ms, each at most once,
// in that order, with non-negative integers, or the literal "0". Empty text, other units,
// fractions, signs and values beyond what int64 milliseconds can hold are errors (code
// kInvalidValue / kOutOfRange, path and file left empty for the caller to fill in).
Result<Duration> ParseDuration(std::string_view text);

// The canonical Prometheus text of a millisecond count, e.g. 90000ms -> "1m30s", 0 -> "0s".
std::string FormatDuration(std::chrono::milliseconds value);

// A Duration built from a literal the code knows to be valid (defaults): MakeDuration("30s").
Duration MakeDuration(std::string_view valid_text);

}  // namespace pulse::model
