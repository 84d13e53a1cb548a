#include "flag_value.h"

#include "pulse/base/duration.h"

namespace pulse::cli {

std::string FlagValue(const std::vector<std::string>& argv, std::size_t& i, const std::string& flag,
                      std::string* out) {
  const std::string& a = argv[i];
  const auto eq = a.find('=');
  if (eq != std::string::npos) {
    *out = a.substr(eq + 1);
  } else if (i + 1 < argv.size()) {
    *out = argv[++i];
  } else {
    return flag + " needs a value";
  }
  if (out->empty()) return flag + " needs a non-empty value";
  return "";
}

std::string ParseFlagDuration(const std::string& flag, const std::string& text, bool allow_zero,
                              std::chrono::milliseconds* out) {
  const auto parsed = base::ParseDuration(text);
  if (!parsed.ok() || (!allow_zero && parsed.value.count() == 0)) {
    return flag + " wants a " + (allow_zero ? "" : "positive ") +
           "duration such as 15s, 500ms or 1m30s, got \"" + text + "\"";
  }
  *out = parsed.value;
  return "";
}

}  // namespace pulse::cli
