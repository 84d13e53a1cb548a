// RED for a service's Redis calls: redis_command_duration_seconds{command} and
// redis_command_errors_total{command,error_type}. See docs/instrumentation.md for the naming.
//
// Thread-safe: Record may be called from any thread (one RedisMetrics is shared by all of a
// service's connections), Collect concurrently with it. Record is lock-free.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "pulse/red/sharded_histogram.h"

namespace pulse::red {

// Index of a command name in the fixed list of Redis commands; unknown names map to "OTHER".
// Case-insensitive. Pure, thread-safe.
std::size_t RedisCommandIndex(std::string_view command) noexcept;
std::string_view RedisCommandName(std::size_t index) noexcept;
std::size_t RedisCommandCount() noexcept;

// error_type of a Redis error reply: its first word if it is in the fixed list of Redis error
// prefixes (WRONGTYPE, ERR, NOSCRIPT, ...), else "OTHER". Pure, thread-safe.
std::size_t RedisErrorTypeIndex(std::string_view error_reply) noexcept;
std::string_view RedisErrorTypeName(std::size_t index) noexcept;
// error_type for a failure without a reply (connection refused, reset, timeout, protocol error).
std::size_t RedisIoErrorType() noexcept;

class RedisMetrics : public prometheus::Collectable {
 public:
  explicit RedisMetrics(unsigned shards = 0);
  ~RedisMetrics() override;
  RedisMetrics(const RedisMetrics&) = delete;
  RedisMetrics& operator=(const RedisMetrics&) = delete;

  // One finished command: a reply that is not an error, or a failure of the given type.
  void RecordSuccess(std::size_t command_index, std::chrono::nanoseconds duration);
  void RecordError(std::size_t command_index, std::size_t error_type,
                   std::chrono::nanoseconds duration);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  ShardedHistogram& Cell(std::size_t command_index);

  unsigned shards_;
  std::unique_ptr<std::atomic<ShardedHistogram*>[]> cells_;  // per command, created on first use
  std::unique_ptr<std::atomic<std::uint64_t>[]> errors_;     // [command * error types + type]
};

}  // namespace pulse::red
