#include "pulse/controller/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace pulse::controller {
namespace {

using base::Status;
using base::StatusCode;

Status Errno(std::string_view step, const std::string& path, int err) {
  const StatusCode code = err == ENOENT || err == ENOTDIR ? StatusCode::kNotFound
                          : err == EACCES || err == EPERM ? StatusCode::kPermissionDenied
                                                          : StatusCode::kInternal;
  return Status(code, std::string(step) + " " + path + ": " + std::strerror(err));
}

std::string DirOf(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open directory", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // Some file systems (tmpfs on old kernels) refuse fsync on a directory; the rename is still
  // atomic there, durability is simply not on offer.
  if (rc != 0 && err != EINVAL) return Errno("fsync directory", dir, err);
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view content, unsigned mode) {
  const std::string dir = DirOf(path);
  // mkstemp gives a unique name, so two processes (or a leftover of a crash) never collide.
  std::string tmp = dir + "/" + kTempFilePrefix + BaseOf(path) + ".XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Errno("create temp file in", dir, errno);
  auto fail = [&](std::string_view step, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return Errno(step, tmp, err);
  };
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write", errno);
    }
    written += static_cast<std::size_t>(n);
  }
  // mkstemp creates 0600; Prometheus may run as another user that only needs to read (the
  // caller says; credentials stay 0600).
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail("chmod", errno);
  if (::fsync(fd) != 0) return fail("fsync", errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Errno("close", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Errno("rename to " + path + " from", tmp, err);
  }
  return SyncDir(dir);
}

base::StatusOr<bool> WriteFileIfChanged(const std::string& path, std::string_view content,
                                        unsigned mode) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    const std::string current((std::istreambuf_iterator<char>(in)), {});
    struct stat st {};
    const bool same_mode =
        ::stat(path.c_str(), &st) == 0 && (st.st_mode & 07777) == static_cast<mode_t>(mode);
    if (!in.bad() && current == content && same_mode) return false;
  }
  Status s = WriteFileAtomically(path, content, mode);
  if (!s.ok()) return s;
  return true;
}

Status RemoveFileDurably(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Errno("remove", path, errno);
  }
  return SyncDir(DirOf(path));
}

base::StatusOr<std::vector<std::string>> ListRegularFiles(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Errno("open directory", dir, errno);
  std::vector<std::string> out;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == ".." || name.starts_with(kTempFilePrefix)) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
      out.push_back(name);
    }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pulse::controller
