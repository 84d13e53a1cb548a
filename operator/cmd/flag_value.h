// The value of a command-line flag, shared by every pulse-operator subcommand so they all accept
// the same spellings: "--flag=value" and "--flag value". Pure; thread-compatible.
#pragma once

#include <charconv>
#include <chrono>
#include <cstddef>
#include <string>
#include <system_error>
#include <vector>

namespace pulse::cli {

// Reads the value of argv[i] (named `flag` in messages) into *out, advancing i past a separate
// value. Returns "" on success, else the message ("--x needs a value", "--x needs a non-empty
// value").
std::string FlagValue(const std::vector<std::string>& argv, std::size_t& i, const std::string& flag,
                      std::string* out);

// The whole of `text` as a number in [lo, hi] into *out; false when malformed or out of range
// (a NaN is out of every range). Every numeric flag goes through here so "8x", "" and "1e999"
// are refused the same way everywhere.
template <typename T>
bool ParseInRange(const std::string& text, T lo, T hi, T* out) {
  T n{};
  const char* end = text.data() + text.size();
  const auto res = std::from_chars(text.data(), end, n);
  if (res.ec != std::errc() || res.ptr != end || !(n >= lo && n <= hi)) return false;
  *out = n;
  return true;
}

// A duration flag in pulse's one duration grammar (pulse/base/duration.h: "500ms", "15s",
// "1m30s") into *out. Zero is accepted only when `allow_zero`. Returns "" or the message naming
// `flag` and quoting the value.
std::string ParseFlagDuration(const std::string& flag, const std::string& text, bool allow_zero,
                              std::chrono::milliseconds* out);

}  // namespace pulse::cli
