#include "flag_value.h"

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

}  // namespace pulse::cli
