// Configurable faults for the demo services: a share of requests answered 500, and added latency.
//
// Thread-safe: Decide uses a thread-local random engine; the settings are immutable.
#pragma once

#include <chrono>
#include <cstdint>

namespace pulse::demo {

struct FaultSettings {
  double error_rate = 0.0;               // 0..1: share of requests answered 500
  std::chrono::milliseconds latency{0};  // added to every request
  std::chrono::milliseconds jitter{0};   // plus uniform 0..jitter
  std::uint64_t seed = 0;                // 0: random seed per thread; else deterministic
};

struct FaultDecision {
  bool fail = false;
  std::chrono::milliseconds delay{0};
};

class FaultInjector {
 public:
  // Throws std::invalid_argument when error_rate is outside [0, 1] or a duration is negative.
  explicit FaultInjector(FaultSettings settings);
  FaultDecision Decide() const;
  const FaultSettings& settings() const noexcept { return settings_; }

 private:
  FaultSettings settings_;
};

}  // namespace pulse::demo
