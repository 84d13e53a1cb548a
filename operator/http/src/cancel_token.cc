// CancelToken and Response::Header: the parts of client.h that do not touch the network.
#include "pulse/http/client.h"

namespace pulse::http {

void CancelToken::Cancel() {
  std::map<int, std::function<void()>> callbacks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_.exchange(true)) return;
    callbacks.swap(callbacks_);
  }
  // Outside the lock: a callback may take its own locks (the HTTP library's cancellation does).
  for (auto& [id, fn] : callbacks) fn();
}

int CancelToken::Register(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cancelled_.load()) {
      const int id = ++next_id_;
      callbacks_.emplace(id, std::move(fn));
      return id;
    }
  }
  fn();
  return 0;
}

void CancelToken::Unregister(int id) {
  std::lock_guard<std::mutex> lock(mu_);
  callbacks_.erase(id);
}

std::string Response::Header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

}  // namespace pulse::http
