#include "remote_write_file.h"

#include <fstream>
#include <sstream>

namespace pulse::cli {

std::string ReadRemoteWriteFile(const std::string& path, model::RemoteWrite* out,
                                std::string* note) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + ": cannot read the remote-write config file";
  // Read one byte past the limit at most: a huge (or endless, /dev/zero) file is refused by the
  // parser's size check without being loaded whole.
  std::string text(model::kMaxRemoteWriteBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return path + ": cannot read the remote-write config file";
  text.resize(static_cast<std::size_t>(in.gcount()));
  model::RemoteWriteResult parsed = model::ParseRemoteWrite(text, path);
  if (!parsed.errors.empty()) {
    std::string problem;
    for (const auto& e : parsed.errors) problem += (problem.empty() ? "" : "\n") + e.ToString();
    return problem;
  }
  if (note != nullptr) {
    // The URL is shown without its query: a store may take a tenant or token there.
    const std::string& url = parsed.remote_write.url;
    *note = path + ": remote write to " + url.substr(0, url.find('?'));
  }
  *out = std::move(parsed.remote_write);
  return "";
}

}  // namespace pulse::cli
