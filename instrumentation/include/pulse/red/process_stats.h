// Parsers for the /proc files behind the standard process_* metrics. Pure functions (text in,
// values out), so they are unit-tested with fixed inputs; ProcessCollector does the reading.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pulse::red {

// Fields of /proc/<pid>/stat used by the process metrics (see proc(5)).
struct ProcStat {
  std::uint64_t utime_ticks = 0;      // field 14
  std::uint64_t stime_ticks = 0;      // field 15
  std::uint64_t starttime_ticks = 0;  // field 22, since boot
  std::uint64_t vsize_bytes = 0;      // field 23
  std::int64_t rss_pages = 0;         // field 24
};

// nullopt when the text is not a stat line (missing ')' after the command, too few fields,
// a non-numeric field). The command name may contain spaces and ')' — the last ')' ends it.
std::optional<ProcStat> ParseProcStat(std::string_view text);

// The "btime" line of /proc/stat: boot time in Unix seconds.
std::optional<std::uint64_t> ParseBootTime(std::string_view proc_stat_text);

// The soft limit of "Max open files" in /proc/<pid>/limits; "unlimited" gives UINT64_MAX.
std::optional<std::uint64_t> ParseMaxOpenFiles(std::string_view limits_text);

}  // namespace pulse::red
