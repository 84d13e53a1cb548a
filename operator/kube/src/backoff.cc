#include "pulse/kube/backoff.h"

#include <algorithm>

namespace pulse::kube {

Backoff::Backoff(BackoffOptions options, std::uint64_t seed)
    : options_(options), rng_(seed), current_ms_(static_cast<double>(options.initial.count())) {
  options_.factor = std::max(1.0, options_.factor);
  options_.jitter = std::clamp(options_.jitter, 0.0, 1.0);
}

std::chrono::milliseconds Backoff::Next() {
  const double max_ms = static_cast<double>(options_.max.count());
  const double base = std::min(current_ms_, max_ms);
  std::uniform_real_distribution<double> dist(1.0 - options_.jitter, 1.0 + options_.jitter);
  const double d = std::min(base * dist(rng_), max_ms);
  current_ms_ = std::min(current_ms_ * options_.factor, max_ms);
  ++attempts_;
  return std::chrono::milliseconds(static_cast<long long>(d));
}

void Backoff::Reset() {
  current_ms_ = static_cast<double>(options_.initial.count());
  attempts_ = 0;
}

}  // namespace pulse::kube
