#include "pulse/base/duration.h"

#include <cstdint>
#include <iterator>
#include <limits>

namespace pulse::base {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t ms;
};

// In the only order Prometheus accepts. "ms" before "m" so the longer suffix wins.
constexpr Unit kUnits[] = {
    {"y", 365LL * 24 * 3600 * 1000},
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
};

// Prometheus keeps durations as int64 nanoseconds; anything longer is out of range there.
constexpr std::int64_t kMaxMs = std::numeric_limits<std::int64_t>::max() / 1'000'000;

DurationParse Fail(DurationParse::Problem problem, std::string detail) {
  DurationParse out;
  out.problem = problem;
  out.detail = std::move(detail);
  return out;
}

}  // namespace

DurationParse ParseDuration(std::string_view text) {
  using Problem = DurationParse::Problem;
  const std::string quoted =
      "\"" + std::string(text.substr(0, 64)) + (text.size() > 64 ? "..." : "") + "\"";
  if (text.empty()) return Fail(Problem::kInvalid, "empty duration");
  if (text == "0") return DurationParse{};
  std::size_t pos = 0;
  std::size_t next_unit = 0;  // index into kUnits of the first unit still allowed
  std::int64_t total = 0;
  while (pos < text.size()) {
    const std::size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == digits_start) {
      return Fail(Problem::kInvalid,
                  "invalid duration " + quoted +
                      ": want a number followed by a unit (y, w, d, h, m, s, ms)" +
                      (pos == 0 ? "" : " where \"" + std::string(text.substr(pos, 16)) + "\" is"));
    }
    std::int64_t number = 0;
    bool overflow = false;
    for (std::size_t i = digits_start; i < pos; ++i) {
      if (number > (kMaxMs - (text[i] - '0')) / 10) {
        overflow = true;
        break;
      }
      number = number * 10 + (text[i] - '0');
    }
    std::size_t unit = next_unit;
    const std::string_view rest = text.substr(pos);
    bool found = false;
    for (std::size_t u = 0; u < std::size(kUnits); ++u) {
      // "ms" must not be read as "m" followed by garbage.
      if (kUnits[u].suffix == "m" && rest.starts_with("ms")) continue;
      if (rest.starts_with(kUnits[u].suffix)) {
        unit = u;
        found = true;
        break;
      }
    }
    if (!found) {
      return Fail(Problem::kInvalid, "invalid duration " + quoted +
                                         ": unknown or missing unit (want y, w, d, h, m, s or ms)");
    }
    if (unit < next_unit) {
      return Fail(Problem::kInvalid,
                  "invalid duration " + quoted +
                      ": units must appear once each, largest first (y w d h m s ms)");
    }
    if (overflow || number > kMaxMs / kUnits[unit].ms ||
        total > kMaxMs - number * kUnits[unit].ms) {
      return Fail(Problem::kOutOfRange,
                  "duration " + quoted + " is out of range (at most about 292 years)");
    }
    total += number * kUnits[unit].ms;
    pos += kUnits[unit].suffix.size();
    next_unit = unit + 1;
  }
  DurationParse out;
  out.value = std::chrono::milliseconds(total);
  return out;
}

std::string FormatDuration(std::chrono::milliseconds value) {
  std::int64_t ms = value.count();
  if (ms <= 0) return "0s";
  std::string out;
  for (const Unit& unit : kUnits) {
    if ((unit.suffix == "y" || unit.suffix == "w") && ms % unit.ms != 0) continue;
    const std::int64_t n = ms / unit.ms;
    if (n > 0) {
      out += std::to_string(n);
      out += unit.suffix;
      ms -= n * unit.ms;
    }
  }
  return out;
}

}  // namespace pulse::base
