#include "pulse/kube/token_file.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pulse::kube {

TokenFile::TokenFile(std::string path, std::chrono::milliseconds reread_after)
    : path_(std::move(path)), reread_after_(reread_after) {}

std::string TokenFile::Token() {
  std::lock_guard<std::mutex> lock(mu_);
  struct stat st {};
  const bool exists = ::stat(path_.c_str(), &st) == 0;
  const long long mtime = exists ? st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec : -1;
  const long long size = exists ? static_cast<long long>(st.st_size) : -1;
  const auto now = std::chrono::steady_clock::now();
  if (!token_.empty() && mtime == mtime_ns_ && size == size_ && now - read_at_ < reread_after_) {
    return token_;
  }
  std::ifstream in(path_);
  std::ostringstream ss;
  if (in) ss << in.rdbuf();
  std::string t = ss.str();
  const auto first = t.find_first_not_of(" \t\r\n");
  const auto last = t.find_last_not_of(" \t\r\n");
  t = first == std::string::npos ? std::string() : t.substr(first, last - first + 1);
  if (!in || t.empty()) {
    if (!token_.empty()) return token_;  // keep the last good token through a rotation glitch
    throw std::runtime_error("cannot read bearer token file '" + path_ + "'");
  }
  token_ = std::move(t);
  mtime_ns_ = mtime;
  size_ = size;
  read_at_ = now;
  return token_;
}

}  // namespace pulse::kube
