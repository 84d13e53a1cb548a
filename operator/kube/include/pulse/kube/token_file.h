// A bearer token read from a file that may be replaced while we run (the kubelet rotates
// projected service-account tokens about hourly). Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

namespace pulse::kube {

class TokenFile {
 public:
  // `reread_after`: re-read at least this often even if the file looks unchanged (rotation by
  // atomic symlink swap can keep size and mtime resolution the same).
  explicit TokenFile(std::string path,
                     std::chrono::milliseconds reread_after = std::chrono::minutes(1));
  // The current token, trimmed of surrounding whitespace. Throws std::runtime_error naming the
  // file when it cannot be read and no earlier token is known; after a successful read, a
  // transient read failure keeps returning the last good token.
  std::string Token();

 private:
  std::string path_;
  std::chrono::milliseconds reread_after_;
  std::mutex mu_;
  std::string token_;
  long long mtime_ns_ = -1;
  long long size_ = -1;
  std::chrono::steady_clock::time_point read_at_{};
};

}  // namespace pulse::kube
