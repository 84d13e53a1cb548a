// Per-key exponential failure backoff for the work queue (as client-go's
// ItemExponentialFailureRateLimiter): a key that keeps failing waits base, 2*base, 4*base, ...
// up to max; Forget() resets it after a success. Pure arithmetic, no clock: it only computes
// the delay, which the WorkQueue then waits out on its injected base::Clock. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace pulse::kube {

class ItemExponentialRateLimiter {
 public:
  explicit ItemExponentialRateLimiter(std::chrono::milliseconds base = std::chrono::milliseconds(5),
                                      std::chrono::milliseconds max = std::chrono::seconds(1000));
  // The delay before `key` may be retried, counting this as one more failure.
  std::chrono::milliseconds When(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds max_;
  mutable std::mutex mu_;
  std::map<std::string, int> failures_;
};

}  // namespace pulse::kube
