#include "pulse/red/sharded_histogram.h"

#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>

namespace pulse::red {

HistogramBuckets::HistogramBuckets(std::vector<double> upper_bounds_seconds)
    : bounds_(std::move(upper_bounds_seconds)) {
  if (bounds_.empty()) throw std::invalid_argument("histogram buckets: no bucket bounds given");
  if (bounds_.size() > kMaxBuckets) {
    throw std::invalid_argument("histogram buckets: " + std::to_string(bounds_.size()) +
                                " bounds given, at most " + std::to_string(kMaxBuckets) +
                                " allowed");
  }
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    const double b = bounds_[i];
    if (!std::isfinite(b) || b < 0 || b > 1e9) {
      throw std::invalid_argument("histogram buckets: bound #" + std::to_string(i) + " = " +
                                  std::to_string(b) + " is not a finite number in [0, 1e9] s");
    }
    if (i > 0 && !(b > bounds_[i - 1])) {
      throw std::invalid_argument("histogram buckets: bound #" + std::to_string(i) + " = " +
                                  std::to_string(b) + " is not greater than the previous bound " +
                                  std::to_string(bounds_[i - 1]));
    }
    bounds_ns_.push_back(static_cast<std::int64_t>(std::llround(b * 1e9)));
  }
}

const HistogramBuckets& HistogramBuckets::Http() {
  static const HistogramBuckets kHttp(
      {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  return kHttp;
}

const HistogramBuckets& HistogramBuckets::Redis() {
  static const HistogramBuckets kRedis(
      {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
  return kRedis;
}

unsigned DefaultShardCount() noexcept {
  unsigned hw = std::thread::hardware_concurrency();
  if (hw == 0) hw = 1;
  if (hw > 16) hw = 16;
  return std::bit_ceil(hw);
}

namespace internal {
unsigned NextThreadNumber() noexcept {
  static std::atomic<unsigned> next_thread{0};
  return next_thread.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace internal

ShardedHistogram::ShardedHistogram(const HistogramBuckets& buckets, unsigned shards)
    : buckets_(&buckets), shards_(shards) {
  if (shards == 0 || !std::has_single_bit(shards)) {
    throw std::invalid_argument("sharded histogram: shard count " + std::to_string(shards) +
                                " is not a power of two");
  }
  sum_index_ = buckets.size() + 1;
  lines_per_shard_ = (sum_index_ + 1 + 7) / 8;
  // C++20: std::atomic's default constructor value-initialises, so every counter starts at 0.
  lines_ = std::make_unique<Line[]>(lines_per_shard_ * shards_);
}

HistogramSnapshot ShardedHistogram::Snapshot() const {
  HistogramSnapshot out;
  const std::size_t n = buckets_->size() + 1;
  out.cumulative_counts.assign(n, 0);
  std::uint64_t sum_ns = 0;
  for (unsigned s = 0; s < shards_; ++s) {
    const std::atomic<std::uint64_t>* shard = ShardBase(s);
    for (std::size_t i = 0; i < n; ++i) {
      out.cumulative_counts[i] += shard[i].load(std::memory_order_relaxed);
    }
    sum_ns += shard[sum_index_].load(std::memory_order_relaxed);
  }
  for (std::size_t i = 1; i < n; ++i) out.cumulative_counts[i] += out.cumulative_counts[i - 1];
  out.count = out.cumulative_counts.back();
  out.sum_seconds = static_cast<double>(sum_ns) / 1e9;
  return out;
}

}  // namespace pulse::red
