// A histogram whose hot path is a few relaxed atomic increments on the calling thread's shard.
//
// prometheus-cpp's Histogram::Observe takes a mutex per histogram; under two recording threads
// that mutex's cache line bounces between cores. Here each observation goes to the shard of the
// CPU it runs on (cache-line aligned blocks of counters), so concurrent observers touch different
// lines, and the shards are summed only when Prometheus scrapes.
#pragma once

#include <sched.h>
#if __has_include(<sys/rseq.h>)
#include <sys/rseq.h>  // glibc >= 2.35: the thread's registered rseq area
#endif

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace pulse::red {

// Upper bounds of a histogram's finite buckets, in seconds, strictly increasing (+Inf is
// implicit). Immutable after construction; thread-safe to share.
class HistogramBuckets {
 public:
  // Throws std::invalid_argument naming the offending bound when bounds are empty, not finite,
  // negative or not strictly increasing, or more than kMaxBuckets.
  explicit HistogramBuckets(std::vector<double> upper_bounds_seconds);

  static constexpr std::size_t kMaxBuckets = 64;

  // Index of the bucket a duration falls into (size() for +Inf).
  std::size_t IndexOf(std::int64_t nanoseconds) const noexcept {
    std::size_t i = 0;
    const std::size_t n = bounds_ns_.size();
    while (i < n && nanoseconds > bounds_ns_[i]) ++i;
    return i;
  }
  std::size_t size() const noexcept { return bounds_.size(); }
  const std::vector<double>& upper_bounds() const noexcept { return bounds_; }

  // 0.001 s … 10 s, suited to web APIs.
  static const HistogramBuckets& Http();
  // 0.1 ms … 1 s, suited to a cache on the same network.
  static const HistogramBuckets& Redis();

 private:
  std::vector<double> bounds_;
  std::vector<std::int64_t> bounds_ns_;
};

// Number of shards for sharded counters: the next power of two ≥ hardware threads, capped at 16.
unsigned DefaultShardCount() noexcept;

namespace internal {
// The next thread number (0, 1, 2, ...), process-wide. Thread-safe.
unsigned NextThreadNumber() noexcept;
}  // namespace internal

// The CPU the calling thread runs on, or a negative number when unknown. With glibc ≥ 2.35 the
// kernel keeps it in the thread's rseq area (registered by glibc at thread start), read here
// directly: one load from the thread pointer, where sched_getcpu() is a call through the PLT
// that reads the same field (about 30 instructions). Where rseq is not registered (old kernels,
// valgrind, the glibc.pthread.rseq=0 tunable) the field holds a negative value and
// sched_getcpu()'s own fallback (vDSO getcpu) answers.
inline int CurrentCpu() noexcept {
#if __has_include(<sys/rseq.h>)
  const auto* area = reinterpret_cast<const volatile struct rseq*>(
      static_cast<char*>(__builtin_thread_pointer()) + __rseq_offset);
  const auto cpu = static_cast<int>(area->cpu_id);
  if (cpu >= 0) return cpu;
#endif
  return sched_getcpu();
}

// The calling thread's shard among `shards` (a power of two): the CPU it is running on. Threads
// running at the same moment are on different CPUs, so they never share a shard however many
// threads the process has (a pool of 16 on 2 cores included), while numbering threads
// round-robin made two of them collide whenever the pool outgrew the shards. A thread may
// migrate right after reading its CPU, which costs at most a cache miss (writers are atomic, or
// hold the shard's lock). If the CPU is unknown, the thread's round-robin number. Inline: every
// Record and Observe calls it.
inline unsigned CurrentShard(unsigned shards) noexcept {
  const int cpu = CurrentCpu();
  if (cpu >= 0) return static_cast<unsigned>(cpu) & (shards - 1);
  thread_local const unsigned thread_number = internal::NextThreadNumber();
  return thread_number & (shards - 1);
}

// Point-in-time values of a histogram, as Prometheus wants them.
struct HistogramSnapshot {
  std::vector<std::uint64_t> cumulative_counts;  // one per finite bucket, then +Inf (== count)
  std::uint64_t count = 0;
  double sum_seconds = 0;
};

// One histogram series. Observe is thread-safe and lock-free (wait-free on x86);
// ObserveSerialised is for callers that serialise writers per shard; Snapshot is
// thread-safe and may run concurrently with either (it may miss observations in flight, never
// reports a count that later decreases).
class ShardedHistogram {
 public:
  ShardedHistogram(const HistogramBuckets& buckets, unsigned shards);
  ShardedHistogram(const ShardedHistogram&) = delete;
  ShardedHistogram& operator=(const ShardedHistogram&) = delete;

  void Observe(std::int64_t nanoseconds) noexcept {
    if (nanoseconds < 0) nanoseconds = 0;
    std::atomic<std::uint64_t>* shard = ShardBase(CurrentShard(shards_));
    shard[buckets_->IndexOf(nanoseconds)].fetch_add(1, std::memory_order_relaxed);
    shard[sum_index_].fetch_add(static_cast<std::uint64_t>(nanoseconds), std::memory_order_relaxed);
  }

  // Same, into `shard` (< the shard count), for a caller that serialises every writer of that
  // shard itself — HttpRedRecorder holds the shard's top-K lock anyway, so the counters need no
  // locked instruction: a relaxed load and store (one writer at a time; Snapshot still reads them
  // atomically). Never mix with Observe on the same histogram: Observe's writers do not hold the
  // caller's lock.
  void ObserveSerialised(std::int64_t nanoseconds, unsigned shard) noexcept {
    if (nanoseconds < 0) nanoseconds = 0;
    std::atomic<std::uint64_t>* base = ShardBase(shard);
    std::atomic<std::uint64_t>& bucket = base[buckets_->IndexOf(nanoseconds)];
    bucket.store(bucket.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    std::atomic<std::uint64_t>& sum = base[sum_index_];
    sum.store(sum.load(std::memory_order_relaxed) + static_cast<std::uint64_t>(nanoseconds),
              std::memory_order_relaxed);
  }

  HistogramSnapshot Snapshot() const;
  const HistogramBuckets& buckets() const noexcept { return *buckets_; }

 private:
  struct alignas(64) Line {
    std::atomic<std::uint64_t> v[8];
  };
  std::atomic<std::uint64_t>* ShardBase(unsigned shard) const noexcept {
    return &lines_[shard * lines_per_shard_].v[0];
  }

  const HistogramBuckets* buckets_;
  unsigned shards_;
  std::size_t sum_index_;        // slot after the +Inf bucket: total nanoseconds
  std::size_t lines_per_shard_;  // cache lines per shard
  std::unique_ptr<Line[]> lines_;
};

}  // namespace pulse::red
