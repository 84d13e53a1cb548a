#include "pulse/base/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "pulse/base/clock.h"

namespace pulse::base {
namespace {

std::atomic<LogLevel> g_min_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kJson};
std::atomic<bool> g_quiet{false};
std::atomic<const Clock*> g_clock{nullptr};
std::mutex g_write_mu;  // guards g_writer and serializes the writes themselves
std::function<void(std::string_view)>* g_writer = nullptr;

// RFC 3339 UTC with milliseconds: sortable, and what log collectors parse without configuration.
std::string Timestamp(std::chrono::system_clock::time_point time) {
  // floor, not a cast: a cast rounds towards zero, which would misdate times before 1970.
  const auto secs = std::chrono::floor<std::chrono::seconds>(time);
  const long long millis = std::chrono::floor<std::chrono::milliseconds>(time - secs).count();
  const std::time_t seconds = static_cast<std::time_t>(secs.time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char stamp[40];
  const size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(stamp + n, sizeof stamp - n, ".%03lldZ", millis);
  return stamp;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid (overlong
// forms, surrogates and code points above U+10FFFF included).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t len;
  unsigned min, cp;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// The inside of a JSON string: quotes, backslashes and control characters escaped, valid UTF-8
// kept as is, each invalid byte replaced by U+FFFD. Also used for quoted text-format values, so
// neither format can be split into two lines or forged by what a value contains. With
// `quotes` false, '"' and '\' stay as they are (free text that is never parsed back).
void AppendEscaped(std::string& out, std::string_view s, bool quotes = true) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    if (!quotes && (c == '"' || c == '\\')) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  AppendEscaped(out, s);
  out += '"';
}

// A text-format key or value: bare when it is plain printable ASCII without spaces, '=' or
// quotes; otherwise quoted and escaped.
void AppendTextToken(std::string& out, std::string_view s) {
  bool plain = !s.empty();
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '=' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out.append(s);
  } else {
    AppendJsonString(out, s);
  }
}

void WriteAll(std::string_view line) {
  while (!line.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a failing stderr
    }
    line.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (name == LogLevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

bool ParseLogFormat(std::string_view name, LogFormat* format) {
  if (name == "json") {
    *format = LogFormat::kJson;
  } else if (name == "text") {
    *format = LogFormat::kText;
  } else {
    return false;
  }
  return true;
}

void SetLogLevel(LogLevel min_level) { g_min_level = min_level; }
void SetLogFormat(LogFormat format) { g_format = format; }
void SetLogQuiet(bool quiet) { g_quiet = quiet; }
void SetLogClock(const Clock* clock) { g_clock = clock; }

void SetLogWriter(std::function<void(std::string_view line)> writer) {
  std::lock_guard<std::mutex> lock(g_write_mu);
  delete g_writer;
  g_writer = writer ? new std::function<void(std::string_view)>(std::move(writer)) : nullptr;
}

bool LogEnabled(LogLevel level) { return !g_quiet.load() && level >= g_min_level.load(); }

std::string FormatLogLine(LogFormat format, std::chrono::system_clock::time_point time,
                          LogLevel level, std::string_view message, LogFields fields) {
  std::string line;
  line.reserve(64 + message.size() + 24 * fields.size());
  if (format == LogFormat::kJson) {
    line += "{\"ts\":\"";
    line += Timestamp(time);
    line += "\",\"level\":\"";
    line += LogLevelName(level);
    line += "\",\"msg\":";
    AppendJsonString(line, message);
    for (const LogField& f : fields) {
      line += ',';
      AppendJsonString(line, f.key());
      line += ':';
      if (f.bare()) {
        line += f.value();
      } else {
        AppendJsonString(line, f.value());
      }
    }
    line += "}\n";
  } else {
    line += Timestamp(time);
    line += ' ';
    line += LogLevelName(level);
    line += ' ';
    AppendEscaped(line, message, /*quotes=*/false);  // free text: only keep it one line
    for (const LogField& f : fields) {
      line += ' ';
      AppendTextToken(line, f.key());
      line += '=';
      AppendTextToken(line, f.value());
    }
    line += '\n';
  }
  return line;
}

void Log(LogLevel level, std::string_view message, LogFields fields) {
  if (!LogEnabled(level)) return;
  const Clock* clock = g_clock.load();
  const auto now = clock != nullptr ? clock->WallNow() : std::chrono::system_clock::now();
  const std::string line = FormatLogLine(g_format.load(), now, level, message, fields);
  std::lock_guard<std::mutex> lock(g_write_mu);
  if (g_writer != nullptr) {
    (*g_writer)(line);
  } else {
    WriteAll(line);
  }
}

}  // namespace pulse::base
