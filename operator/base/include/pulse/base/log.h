// Leveled logging for every pulse process, one line per entry on stderr:
//   JSON (the default, for daemons whose logs a collector parses):
//     {"ts":"2026-01-01T00:00:00.000Z","level":"info","msg":"target is up","target":"rmq"}
//   text (for people at a terminal):
//     2026-01-01T00:00:00.000Z info target is up target=rmq
// Keys and values are escaped so that one entry is always one line and JSON output is always
// valid JSON (quotes, backslashes and control characters escaped; invalid UTF-8 replaced by
// U+FFFD). Callers must never log secrets.
//
// Thread-safe: settings may change at any time; each line is written with one write(2) under a
// mutex, so lines from different threads never interleave.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace pulse::base {

class Clock;

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kJson, kText };

// "debug", "info", "warn", "error".
std::string_view LogLevelName(LogLevel level);
// Parses a level or format name as above ("json"/"text"); false when unknown.
bool ParseLogLevel(std::string_view name, LogLevel* level);
bool ParseLogFormat(std::string_view name, LogFormat* format);

// One key/value pair. Numbers and booleans are written bare in JSON, everything else quoted.
class LogField {
 public:
  LogField(std::string_view key, std::string_view value) : key_(key), value_(value) {}
  LogField(std::string_view key, const char* value) : key_(key), value_(value) {}
  LogField(std::string_view key, const std::string& value) : key_(key), value_(value) {}
  LogField(std::string_view key, bool value)
      : key_(key), value_(value ? "true" : "false"), bare_(true) {}
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool> &&
                                             !std::is_same_v<T, char>,
                                         int> = 0>
  LogField(std::string_view key, T value) : key_(key), value_(std::to_string(value)), bare_(true) {}

  std::string_view key() const { return key_; }
  const std::string& value() const { return value_; }
  bool bare() const { return bare_; }

 private:
  std::string_view key_;
  std::string value_;
  bool bare_ = false;
};

using LogFields = std::initializer_list<LogField>;

// Entries below this level are dropped. Default kInfo.
void SetLogLevel(LogLevel min_level);
// Default kJson.
void SetLogFormat(LogFormat format);
// Drops every entry (tests and benchmarks that provoke failures on purpose).
void SetLogQuiet(bool quiet);
// Where lines go instead of stderr (each call gets one whole line, newline included); nullptr
// restores stderr. For tests.
void SetLogWriter(std::function<void(std::string_view line)> writer);
// The clock that stamps entries (WallNow); nullptr restores the real clock. For tests. The clock
// must outlive its use.
void SetLogClock(const Clock* clock);

bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view message, LogFields fields = {});
inline void LogDebug(std::string_view message, LogFields fields = {}) {
  Log(LogLevel::kDebug, message, fields);
}
inline void LogInfo(std::string_view message, LogFields fields = {}) {
  Log(LogLevel::kInfo, message, fields);
}
inline void LogWarn(std::string_view message, LogFields fields = {}) {
  Log(LogLevel::kWarn, message, fields);
}
inline void LogError(std::string_view message, LogFields fields = {}) {
  Log(LogLevel::kError, message, fields);
}

// The line Log writes (newline included), as a pure function. Pure and thread-safe.
std::string FormatLogLine(LogFormat format, std::chrono::system_clock::time_point time,
                          LogLevel level, std::string_view message, LogFields fields = {});

}  // namespace pulse::base
