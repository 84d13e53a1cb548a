// What the demo order consumer does with the n-th delivery (n counts from 1): the first `hold`
// deliveries are kept unacknowledged for as long as the consumer runs (RabbitMQ's in-flight
// count), then every `reject_every`-th is rejected without requeue (dead-lettered), the rest are
// acknowledged. Pure, deterministic, so the DLQ and in-flight numbers are predictable.
#pragma once

#include <cstdint>

namespace pulse::demo::shop {

enum class DeliveryAction { kHold, kReject, kAck };

struct ConsumerPolicy {
  std::uint64_t hold = 5;
  std::uint64_t reject_every = 10;  // 0: never reject

  DeliveryAction Decide(std::uint64_t n) const noexcept {
    if (n <= hold) return DeliveryAction::kHold;
    if (reject_every > 0 && (n - hold) % reject_every == 0) return DeliveryAction::kReject;
    return DeliveryAction::kAck;
  }
};

}  // namespace pulse::demo::shop
