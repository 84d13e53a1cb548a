// The model's only I/O: reading files and walking directories.
#include "pulse/model/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "pulse/model/parse.h"

namespace pulse::model {
namespace {

namespace fs = std::filesystem;

Error IoError(const std::string& file, std::string detail) {
  Error e;
  e.code = ErrorCode::kIo;
  e.file = file;
  e.detail = std::move(detail);
  return e;
}

bool HasManifestExtension(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

void Append(ParseResult& into, ParseResult&& from) {
  auto move_all = [](auto& dst, auto& src) {
    dst.insert(dst.end(), std::make_move_iterator(src.begin()), std::make_move_iterator(src.end()));
  };
  move_all(into.objects.api_monitors, from.objects.api_monitors);
  move_all(into.objects.exporters, from.objects.exporters);
  move_all(into.objects.secrets, from.objects.secrets);
  move_all(into.errors, from.errors);
  move_all(into.notes, from.notes);
}

void LoadFile(const std::string& file, ParseResult& out) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) {
    out.errors.push_back(IoError(file, "cannot read: " + ec.message()));
    return;
  }
  if (size > kMaxInputBytes) {
    out.errors.push_back(IoError(file, "file is " + std::to_string(size) +
                                           " bytes, more than the limit of " +
                                           std::to_string(kMaxInputBytes) + " bytes"));
    return;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    // An empty file makes operator<< fail too; only a failure to open is an error.
    if (!in.is_open()) {
      out.errors.push_back(IoError(file, "cannot open for reading"));
      return;
    }
  }
  const std::string content = text.str();
  const bool json = fs::path(file).extension() == ".json";
  ParseResult parsed = json ? ParseJson(content, file) : ParseYaml(content, file);
  if (parsed.objects.api_monitors.empty() && parsed.objects.exporters.empty() &&
      parsed.objects.secrets.empty() && parsed.errors.empty() && parsed.notes.empty()) {
    parsed.notes.push_back(file + ": no objects");
  }
  Append(out, std::move(parsed));
}

}  // namespace

ParseResult LoadPaths(const std::vector<std::string>& paths) {
  ParseResult out;
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      out.errors.push_back(IoError(path, "no such file or directory"));
      continue;
    }
    if (!fs::is_directory(status)) {
      LoadFile(path, out);
      continue;
    }
    std::vector<std::string> files;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && HasManifestExtension(it->path()))
        files.push_back(it->path().string());
    }
    if (ec) out.errors.push_back(IoError(path, "cannot list directory: " + ec.message()));
    std::sort(files.begin(), files.end());
    for (const std::string& file : files) LoadFile(file, out);
  }
  return out;
}

}  // namespace pulse::model
