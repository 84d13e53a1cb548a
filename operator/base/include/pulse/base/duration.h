// The one duration grammar of pulse: Prometheus' (units y w d h m s ms, each at most once,
// largest first, non-negative integers, or the literal "0"). The CRDs, the operator's model and
// the pulse-exporter config file all parse durations with ParseDuration below, so "1m30s" or
// "30d" mean the same thing wherever a user writes them. The model (pulse::model::ParseDuration)
// wraps it to attach its error codes and field paths; the exporter's config parser calls it
// directly.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace pulse::base {

struct DurationParse {
  enum class Problem { kNone, kInvalid, kOutOfRange };
  Problem problem = Problem::kNone;
  std::chrono::milliseconds value{0};  // meaningful when problem == kNone
  std::string detail;                  // why not, quoting (a truncated copy of) the text

  bool ok() const { return problem == Problem::kNone; }
};

// Parses `text`. Empty text, other units, fractions, signs, units out of order or repeated are
// kInvalid; values beyond what Prometheus can hold (int64 nanoseconds, about 292 years) are
// kOutOfRange.
DurationParse ParseDuration(std::string_view text);

// The canonical Prometheus text of a millisecond count, e.g. 90000ms -> "1m30s", 0 -> "0s".
// Years and weeks only when they divide the rest exactly ("90d", not "12w6d"), like Prometheus.
// Parsing the result gives `value` back for every value >= 0.
std::string FormatDuration(std::chrono::milliseconds value);

}  // namespace pulse::base
