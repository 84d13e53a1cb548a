// Minimal line logger to stderr ("2026-01-01T00:00:00Z level message"). Thread-safe: each line is
// written with one call under a mutex. Callers must never pass secrets.
#pragma once

#include <string_view>

namespace pulse::exporter {

enum class LogLevel { kInfo, kWarn, kError };
void Log(LogLevel level, std::string_view message);
// Silences kInfo lines (tests and benchmarks).
void SetLogQuiet(bool quiet);

}  // namespace pulse::exporter
