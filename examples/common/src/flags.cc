#include "pulse/demo/flags.h"

#include <cmath>
#include <stdexcept>
#include <string_view>

namespace pulse::demo {

Flags::Flags(int argc, const char* const* argv, const std::set<std::string>& with_value,
             const std::set<std::string>& switches) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument \"" + arg + "\"");
    arg.erase(0, 2);
    std::string value;
    bool has_value = false;
    if (const std::size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.erase(eq);
      has_value = true;
    }
    if (switches.count(arg)) {
      if (has_value) throw std::invalid_argument("flag --" + arg + " takes no value");
      values_[arg] = "true";
    } else if (with_value.count(arg)) {
      if (!has_value) {
        if (i + 1 >= argc) throw std::invalid_argument("flag --" + arg + " needs a value");
        value = argv[++i];
      }
      values_[arg] = value;
    } else {
      throw std::invalid_argument("unknown flag --" + arg);
    }
  }
}

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

double Flags::GetDouble(const std::string& name, double fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != it->second.size() || it->second.empty() || !std::isfinite(v)) {
    throw std::invalid_argument("flag --" + name + ": \"" + it->second + "\" is not a number");
  }
  return v;
}

long long Flags::GetInt(const std::string& name, long long fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != it->second.size() || it->second.empty()) {
    throw std::invalid_argument("flag --" + name + ": \"" + it->second + "\" is not an integer");
  }
  return v;
}

std::pair<std::string, int> ParseHostPort(const std::string& value) {
  const std::size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
    throw std::invalid_argument("\"" + value + "\" is not host:port");
  }
  std::size_t used = 0;
  int port = 0;
  try {
    port = std::stoi(value.substr(colon + 1), &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() - colon - 1 || port <= 0 || port > 65535) {
    throw std::invalid_argument("\"" + value + "\": port is not in 1..65535");
  }
  return {value.substr(0, colon), port};
}

std::pair<std::string, int> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    throw std::invalid_argument("\"" + url + "\" is not an http:// URL");
  }
  std::string rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos) {
    throw std::invalid_argument("\"" + url + "\": give the root URL, without a path");
  }
  return ParseHostPort(rest);
}

}  // namespace pulse::demo
