#include "pulse/demo/fault_injection.h"

#include <random>
#include <stdexcept>
#include <string>

namespace pulse::demo {

FaultInjector::FaultInjector(FaultSettings settings) : settings_(settings) {
  if (!(settings_.error_rate >= 0.0 && settings_.error_rate <= 1.0)) {
    throw std::invalid_argument("error rate " + std::to_string(settings_.error_rate) +
                                " is outside [0, 1]");
  }
  if (settings_.latency.count() < 0 || settings_.jitter.count() < 0) {
    throw std::invalid_argument("latency and jitter must not be negative");
  }
}

FaultDecision FaultInjector::Decide() const {
  thread_local std::mt19937_64 rng(settings_.seed != 0 ? settings_.seed : std::random_device{}());
  FaultDecision d;
  if (settings_.error_rate >= 1.0) {
    d.fail = true;
  } else if (settings_.error_rate > 0.0) {
    d.fail = std::uniform_real_distribution<double>(0.0, 1.0)(rng) < settings_.error_rate;
  }
  d.delay = settings_.latency;
  if (settings_.jitter.count() > 0) {
    d.delay += std::chrono::milliseconds(
        std::uniform_int_distribution<std::int64_t>(0, settings_.jitter.count())(rng));
  }
  return d;
}

}  // namespace pulse::demo
