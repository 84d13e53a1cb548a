// Jittered exponential backoff for reconnects (informer watch, relist, leader election).
// Pure arithmetic plus a seeded random source; the caller waits out each delay on its injected
// base::Clock (Informer: clock.Sleep(backoff.Next(), stopper)). Not thread-safe: one per retry
// loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace pulse::kube {

struct BackoffOptions {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{30000};
  double factor = 2.0;
  // Each delay is drawn uniformly from [d * (1 - jitter), d * (1 + jitter)], then capped at max,
  // so many clients that lost the same server do not come back in lockstep.
  double jitter = 0.2;
};

class Backoff {
 public:
  explicit Backoff(BackoffOptions options = {}, std::uint64_t seed = std::random_device{}());
  // The next delay; grows by `factor` per call up to `max`.
  std::chrono::milliseconds Next();
  // After a success: the next delay is `initial` again.
  void Reset();
  int attempts() const { return attempts_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 rng_;
  double current_ms_;
  int attempts_ = 0;
};

}  // namespace pulse::kube
