// The value of a command-line flag, shared by every pulse-operator subcommand so they all accept
// the same spellings: "--flag=value" and "--flag value". Pure; thread-compatible.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pulse::cli {

// Reads the value of argv[i] (named `flag` in messages) into *out, advancing i past a separate
// value. Returns "" on success, else the message ("--x needs a value", "--x needs a non-empty
// value").
std::string FlagValue(const std::vector<std::string>& argv, std::size_t& i, const std::string& flag,
                      std::string* out);

}  // namespace pulse::cli
