#include "pulse/red/process_stats.h"

#include <charconv>
#include <limits>
#include <vector>

namespace pulse::red {
namespace {

template <typename T>
std::optional<T> ToNumber(std::string_view s) {
  T v{};
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

std::optional<ProcStat> ParseProcStat(std::string_view text) {
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  // Fields after the command start at field 3 (state).
  const std::vector<std::string_view> f = SplitSpaces(text.substr(close + 1));
  auto field = [&](std::size_t n) { return f[n - 3]; };
  if (f.size() < 24 - 2) return std::nullopt;
  const auto utime = ToNumber<std::uint64_t>(field(14));
  const auto stime = ToNumber<std::uint64_t>(field(15));
  const auto start = ToNumber<std::uint64_t>(field(22));
  const auto vsize = ToNumber<std::uint64_t>(field(23));
  const auto rss = ToNumber<std::int64_t>(field(24));
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  return ProcStat{*utime, *stime, *start, *vsize, *rss};
}

std::optional<std::uint64_t> ParseBootTime(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    const auto f = SplitSpaces(line);
    if (f.size() == 2 && f[0] == "btime") return ToNumber<std::uint64_t>(f[1]);
    pos = end + 1;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> ParseMaxOpenFiles(std::string_view text) {
  constexpr std::string_view kKey = "Max open files";
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    if (line.substr(0, kKey.size()) == kKey) {
      const auto f = SplitSpaces(line.substr(kKey.size()));
      if (f.empty()) return std::nullopt;
      if (f[0] == "unlimited") return std::numeric_limits<std::uint64_t>::max();
      return ToNumber<std::uint64_t>(f[0]);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

}  // namespace pulse::red
