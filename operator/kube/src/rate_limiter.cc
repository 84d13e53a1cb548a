#include "pulse/kube/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace pulse::kube {

ItemExponentialRateLimiter::ItemExponentialRateLimiter(std::chrono::milliseconds base,
                                                       std::chrono::milliseconds max)
    : base_(base), max_(max) {}

std::chrono::milliseconds ItemExponentialRateLimiter::When(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  const int exp = failures_[key]++;
  // Computed in double so a long failure streak cannot overflow.
  const double d = static_cast<double>(base_.count()) * std::pow(2.0, std::min(exp, 62));
  return std::chrono::milliseconds(
      static_cast<long long>(std::min(d, static_cast<double>(max_.count()))));
}

void ItemExponentialRateLimiter::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int ItemExponentialRateLimiter::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

}  // namespace pulse::kube
