#include "pulse/red/redis_metrics.h"

#include <prometheus/metric_family.h>

#include <array>
#include <cctype>

#include "family_builder.h"

namespace pulse::red {
namespace {

// Commands a cache-using service sends; anything else is "OTHER" so the label stays bounded
// even if a caller passes user data as the command name.
constexpr std::array<std::string_view, 96> kCommands = {
    "APPEND",  "AUTH",        "BITCOUNT",  "BLPOP",    "BRPOP",   "CLIENT",    "COPY",    "DBSIZE",
    "DECR",    "DECRBY",      "DEL",       "DISCARD",  "ECHO",    "EVAL",      "EVALSHA", "EXEC",
    "EXISTS",  "EXPIRE",      "EXPIREAT",  "FLUSHALL", "FLUSHDB", "GEOADD",    "GET",     "GETDEL",
    "GETEX",   "GETRANGE",    "GETSET",    "HDEL",     "HEXISTS", "HGET",      "HGETALL", "HINCRBY",
    "HKEYS",   "HLEN",        "HMGET",     "HMSET",    "HSET",    "HSETNX",    "HVALS",   "INCR",
    "INCRBY",  "INCRBYFLOAT", "INFO",      "KEYS",     "LINDEX",  "LLEN",      "LPOP",    "LPUSH",
    "LRANGE",  "LREM",        "LSET",      "LTRIM",    "MGET",    "MSET",      "MULTI",   "PERSIST",
    "PEXPIRE", "PFADD",       "PFCOUNT",   "PING",     "PSETEX",  "PTTL",      "PUBLISH", "RENAME",
    "RPOP",    "RPUSH",       "SADD",      "SCAN",     "SCARD",   "SCRIPT",    "SELECT",  "SET",
    "SETEX",   "SETNX",       "SISMEMBER", "SMEMBERS", "SPOP",    "SREM",      "STRLEN",  "TTL",
    "TYPE",    "UNLINK",      "WATCH",     "XADD",     "XLEN",    "XRANGE",    "XREAD",   "ZADD",
    "ZCARD",   "ZINCRBY",     "ZRANGE",    "ZRANK",    "ZREM",    "ZREVRANGE", "ZSCORE",  "OTHER"};

constexpr std::array<std::string_view, 18> kErrorTypes = {
    "ERR",         "WRONGTYPE", "NOSCRIPT",   "BUSY",    "LOADING", "READONLY",
    "MOVED",       "ASK",       "OOM",        "NOAUTH",  "NOPERM",  "EXECABORT",
    "CLUSTERDOWN", "TRYAGAIN",  "MASTERDOWN", "MISCONF", "OTHER",   "io"};

bool EqualsUpper(std::string_view s, std::string_view upper) {
  if (s.size() != upper.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(s[i])) != upper[i]) return false;
  }
  return true;
}

}  // namespace

std::size_t RedisCommandIndex(std::string_view command) noexcept {
  for (std::size_t i = 0; i + 1 < kCommands.size(); ++i) {
    if (EqualsUpper(command, kCommands[i])) return i;
  }
  return kCommands.size() - 1;
}
std::string_view RedisCommandName(std::size_t index) noexcept {
  return index < kCommands.size() ? kCommands[index] : kCommands.back();
}
std::size_t RedisCommandCount() noexcept { return kCommands.size(); }

std::size_t RedisErrorTypeIndex(std::string_view error_reply) noexcept {
  const std::string_view word = error_reply.substr(0, error_reply.find(' '));
  for (std::size_t i = 0; i + 2 < kErrorTypes.size(); ++i) {
    if (word == kErrorTypes[i]) return i;
  }
  return kErrorTypes.size() - 2;  // OTHER
}
std::string_view RedisErrorTypeName(std::size_t index) noexcept {
  return index < kErrorTypes.size() ? kErrorTypes[index] : kErrorTypes[kErrorTypes.size() - 2];
}
std::size_t RedisIoErrorType() noexcept { return kErrorTypes.size() - 1; }

RedisMetrics::RedisMetrics(unsigned shards)
    : shards_(shards == 0 ? DefaultShardCount() : shards),
      cells_(std::make_unique<std::atomic<ShardedHistogram*>[]>(kCommands.size())),
      errors_(
          std::make_unique<std::atomic<std::uint64_t>[]>(kCommands.size() * kErrorTypes.size())) {
  ShardedHistogram probe(HistogramBuckets::Redis(), shards_);  // validates shards_
}

RedisMetrics::~RedisMetrics() {
  for (std::size_t i = 0; i < kCommands.size(); ++i) delete cells_[i].load();
}

ShardedHistogram& RedisMetrics::Cell(std::size_t command_index) {
  if (command_index >= kCommands.size()) command_index = kCommands.size() - 1;
  std::atomic<ShardedHistogram*>& slot = cells_[command_index];
  ShardedHistogram* cell = slot.load(std::memory_order_acquire);
  if (cell == nullptr) {
    auto fresh = std::make_unique<ShardedHistogram>(HistogramBuckets::Redis(), shards_);
    if (slot.compare_exchange_strong(cell, fresh.get(), std::memory_order_acq_rel)) {
      cell = fresh.release();
    }
  }
  return *cell;
}

void RedisMetrics::RecordSuccess(std::size_t command_index, std::chrono::nanoseconds duration) {
  Cell(command_index).Observe(duration.count());
}

void RedisMetrics::RecordError(std::size_t command_index, std::size_t error_type,
                               std::chrono::nanoseconds duration) {
  if (command_index >= kCommands.size()) command_index = kCommands.size() - 1;
  if (error_type >= kErrorTypes.size()) error_type = kErrorTypes.size() - 2;
  Cell(command_index).Observe(duration.count());
  errors_[command_index * kErrorTypes.size() + error_type].fetch_add(1, std::memory_order_relaxed);
}

std::vector<prometheus::MetricFamily> RedisMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  out.push_back(internal::Family(
      "redis_command_duration_seconds",
      "Duration of Redis commands sent by this service, successful or not, by command.",
      prometheus::MetricType::Histogram));
  for (std::size_t c = 0; c < kCommands.size(); ++c) {
    const ShardedHistogram* cell = cells_[c].load(std::memory_order_acquire);
    if (cell == nullptr) continue;
    out.back().metric.push_back(internal::HistogramMetric(
        cell->Snapshot(), cell->buckets(), {{"command", std::string(kCommands[c])}}));
  }
  out.push_back(internal::Family(
      "redis_command_errors_total",
      "Redis commands that failed, by command and error type (reply prefix, or io).",
      prometheus::MetricType::Counter));
  for (std::size_t c = 0; c < kCommands.size(); ++c) {
    for (std::size_t e = 0; e < kErrorTypes.size(); ++e) {
      const std::uint64_t n = errors_[c * kErrorTypes.size() + e].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out.back().metric.push_back(internal::CounterMetric(
          static_cast<double>(n),
          {{"command", std::string(kCommands[c])}, {"error_type", std::string(kErrorTypes[e])}}));
    }
  }
  return out;
}

}  // namespace pulse::red
