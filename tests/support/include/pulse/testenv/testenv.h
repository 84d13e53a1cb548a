// Access to the real servers that scripts/testenv/testenv.sh starts for a test.
//
// Each launcher writes $PULSE_TESTENV_DIR/<server>/env with KEY=VALUE lines (for example
// postgres: HOST, PORT, USER, DATA; see scripts/testenv/README.md). Tests read them here
// instead of hard-coding ports. Not thread-safe for concurrent first use; tests call it from
// their main thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pulse::testenv {

// All KEY=VALUE pairs a launcher wrote for `server`. Throws std::runtime_error naming the file
// when the server was not started (the test lacks FIXTURES_REQUIRED).
const std::map<std::string, std::string>& Server(std::string_view server);

// One value, e.g. Get("postgres", "PORT"). Throws std::runtime_error naming server and key.
std::string Get(std::string_view server, std::string_view key);

// $PULSE_SOURCE_DIR / $PULSE_BINARY_DIR / $PULSE_TESTENV_DIR (set by CTest).
std::string SourceDir();
std::string BinaryDir();
std::string StateDir();

// Runs a shell command, returns its exit status; stdout (and stderr if merge_stderr) into *out.
int Shell(const std::string& command, std::string* out = nullptr, bool merge_stderr = true);

}  // namespace pulse::testenv
