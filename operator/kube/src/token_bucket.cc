#include "pulse/kube/token_bucket.h"

#include <algorithm>

namespace pulse::kube {

TokenBucket::TokenBucket(double qps, int burst, base::Clock& clock)
    : qps_(qps),
      burst_(static_cast<double>(std::max(burst, 1))),
      clock_(clock),
      tokens_(burst_),
      last_(clock.Now()) {}

std::optional<std::chrono::nanoseconds> TokenBucket::Acquire(base::Stopper& stop) {
  if (stop.stopped()) return std::nullopt;
  if (unlimited()) return std::chrono::nanoseconds(0);
  std::chrono::nanoseconds wait{0};
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = clock_.Now();
    if (now > last_) {
      const double refill = std::chrono::duration<double>(now - last_).count() * qps_;
      tokens_ = std::min(burst_, tokens_ + refill);
      last_ = now;
    }
    tokens_ -= 1;
    if (tokens_ < 0) {
      // This caller's slot is when the deficit has refilled: later callers queue behind it.
      wait = std::chrono::nanoseconds(static_cast<long long>(-tokens_ / qps_ * 1e9));
    }
  }
  if (wait.count() == 0) return wait;
  if (clock_.Sleep(wait, stop)) {
    // Hand the slot back: a shut-down client sends nothing, so it should not hold up others
    // that share the bucket.
    std::lock_guard<std::mutex> lock(mu_);
    tokens_ = std::min(burst_, tokens_ + 1);
    return std::nullopt;
  }
  return wait;
}

}  // namespace pulse::kube
