#include "output_dir.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_EXCHANGE (glibc >= 2.28)
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>

namespace pulse::cli {
namespace fs = std::filesystem;
namespace {

// Entries a previous `pulse-operator render` leaves in its output directory.
const std::set<std::string>& RenderEntries() {
  static const std::set<std::string> entries = {"prometheus.yml", "rules", "dashboards",
                                                "exporters"};
  return entries;
}

bool SafeRelativePath(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  for (const auto& part : fs::path(path)) {
    if (part == ".." || part == "." || part.empty()) return false;
  }
  return true;
}

bool WriteFile(const fs::path& path, const std::string& content, std::string* error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) {
    *error = "cannot write " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

// fsync of a directory so the renames survive a crash.
void SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

bool ReplaceDirectory(const std::string& dir_text, const std::vector<render::RenderedFile>& files,
                      std::string* error) {
  std::error_code ec;
  fs::path dir = fs::path(dir_text).lexically_normal();
  if (dir.has_filename() == false) dir = dir.parent_path();  // "out/" -> "out"
  if (dir.empty() || dir.filename() == "." || dir.filename() == "..") {
    *error = "output directory \"" + dir_text + "\" must name a directory (not . or ..)";
    return false;
  }
  const bool exists = fs::exists(fs::symlink_status(dir, ec));
  if (exists) {
    if (!fs::is_directory(fs::symlink_status(dir, ec))) {
      *error = "output path " + dir.string() + " exists and is not a directory";
      return false;
    }
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      // prometheus-shard-<i>.yml: the configs of `render --shards N` (scrape_sharding.h).
      const bool shard_config = name.rfind("prometheus-shard-", 0) == 0 && name.size() > 4 &&
                                name.compare(name.size() - 4, 4, ".yml") == 0;
      if (RenderEntries().count(name) == 0 && !shard_config) {
        *error = "output directory " + dir.string() + " contains \"" + name +
                 "\", which render did not write; refusing to replace it (use an empty or new "
                 "directory)";
        return false;
      }
    }
    if (ec) {
      *error = "cannot list " + dir.string() + ": " + ec.message();
      return false;
    }
  }
  fs::path parent = dir.parent_path();
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec)) {
    *error = "parent directory " + parent.string() + " of the output does not exist";
    return false;
  }

  // mkdtemp beside the target: same file system, so rename is atomic.
  std::string pattern = (parent / ("." + dir.filename().string() + ".render-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    *error =
        "cannot create a temporary directory in " + parent.string() + ": " + std::strerror(errno);
    return false;
  }
  const fs::path tmp = pattern;
  auto fail = [&](const std::string& message) {
    fs::remove_all(tmp, ec);
    *error = message;
    return false;
  };
  ::chmod(tmp.c_str(), 0755);  // mkdtemp creates 0700; the output is meant to be read by others

  for (const auto& file : files) {
    if (!SafeRelativePath(file.path))
      return fail("refusing unsafe output path \"" + file.path + "\"");
    const fs::path target = tmp / file.path;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return fail("cannot create " + target.parent_path().string() + ": " + ec.message());
    if (!WriteFile(target, file.content, error)) return fail(*error);
  }
  SyncDirectory(tmp);

  if (!exists) {
    if (::rename(tmp.c_str(), dir.c_str()) != 0) {
      return fail("cannot rename " + tmp.string() + " to " + dir.string() + ": " +
                  std::strerror(errno));
    }
  } else {
    // Swap both directories in one step, then delete the old content (now at tmp).
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) != 0) {
      // Fallback for file systems without RENAME_EXCHANGE: move the old one aside first.
      const fs::path old = tmp.string() + ".old";
      if (::rename(dir.c_str(), old.c_str()) != 0) {
        return fail("cannot move " + dir.string() + " aside: " + std::strerror(errno));
      }
      if (::rename(tmp.c_str(), dir.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::rename(old.c_str(), dir.c_str());
        return fail("cannot rename " + tmp.string() + " to " + dir.string() + ": " + why);
      }
      fs::remove_all(old, ec);
    } else {
      fs::remove_all(tmp, ec);
    }
  }
  SyncDirectory(parent);
  return true;
}

}  // namespace pulse::cli
