// The Kubernetes client's own rate limit (client-go's flowcontrol token bucket): up to `burst`
// requests pass at once, then one every 1/qps seconds, so a relist storm of many informers
// cannot flood the API server. Each Acquire reserves the next free slot under a lock and waits
// for it outside the lock, so waiters are served in arrival order and one long wait never blocks
// another caller's bookkeeping. Waits run on an injected base::Clock (unit tests use a
// FakeClock) and end at once when the Stopper fires. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "pulse/base/clock.h"

namespace pulse::kube {

class TokenBucket {
 public:
  // qps <= 0 means unlimited (Acquire never waits); burst below 1 counts as 1. The bucket starts
  // full. `clock` must outlive the bucket.
  TokenBucket(double qps, int burst, base::Clock& clock = base::DefaultClock());

  // Takes one token, waiting until one is free. Returns how long it waited (zero when a token
  // was there), or nullopt when `stop` fired before or during the wait (the caller must then not
  // send its request).
  std::optional<std::chrono::nanoseconds> Acquire(base::Stopper& stop);

  bool unlimited() const { return qps_ <= 0; }

 private:
  const double qps_;
  const double burst_;
  base::Clock& clock_;
  std::mutex mu_;
  double tokens_;  // may go negative: that many requests hold a reserved future slot
  std::chrono::steady_clock::time_point last_;
};

}  // namespace pulse::kube
