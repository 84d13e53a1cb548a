#include "pulse/testenv/testenv.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace pulse::testenv {
namespace {

std::string EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    if (fallback != nullptr) return fallback;
    throw std::runtime_error(std::string("environment variable ") + name +
                             " is not set; run the test through ctest");
  }
  return v;
}

}  // namespace

std::string SourceDir() { return EnvOr("PULSE_SOURCE_DIR", nullptr); }
std::string BinaryDir() { return EnvOr("PULSE_BINARY_DIR", nullptr); }
std::string StateDir() { return EnvOr("PULSE_TESTENV_DIR", nullptr); }

const std::map<std::string, std::string>& Server(std::string_view server) {
  static std::map<std::string, std::map<std::string, std::string>> cache;
  auto it = cache.find(std::string(server));
  if (it != cache.end()) return it->second;
  const std::string path = StateDir() + "/" + std::string(server) + "/env";
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("test server '" + std::string(server) + "' is not running: " + path +
                             " is missing (does the test declare FIXTURES " + std::string(server) +
                             "?)");
  }
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return cache.emplace(std::string(server), std::move(values)).first->second;
}

std::string Get(std::string_view server, std::string_view key) {
  const auto& values = Server(server);
  auto it = values.find(std::string(key));
  if (it == values.end()) {
    throw std::runtime_error("test server '" + std::string(server) + "' has no " +
                             std::string(key));
  }
  return it->second;
}

int Shell(const std::string& command, std::string* out, bool merge_stderr) {
  const std::string cmd = merge_stderr ? command + " 2>&1" : command;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    if (out != nullptr) out->append(buf.data(), n);
  }
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace pulse::testenv
