// Command-line flags of the demo programs: --name=value or --name value, and bare --switch.
// Pure; throws std::invalid_argument naming the flag for unknown flags, missing values and
// malformed numbers.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace pulse::demo {

class Flags {
 public:
  // `with_value`: flags that take a value; `switches`: flags that do not.
  Flags(int argc, const char* const* argv, const std::set<std::string>& with_value,
        const std::set<std::string>& switches = {});

  std::string Get(const std::string& name, const std::string& fallback = "") const;
  double GetDouble(const std::string& name, double fallback) const;
  long long GetInt(const std::string& name, long long fallback) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }

 private:
  std::map<std::string, std::string> values_;
};

// "host:port" → {host, port}; throws std::invalid_argument naming the value.
std::pair<std::string, int> ParseHostPort(const std::string& value);

// "http://host:port[/]" (no path) → {host, port}; throws std::invalid_argument naming the URL.
std::pair<std::string, int> ParseHttpUrl(const std::string& url);

}  // namespace pulse::demo
