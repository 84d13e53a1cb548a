#include "pulse/red/sharded_histogram.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace pulse::red {
namespace {

TEST(HistogramBuckets, ValueOnABoundCountsInThatBucket) {
  HistogramBuckets b({0.001, 0.01, 0.1});
  EXPECT_EQ(b.IndexOf(0), 0u);
  EXPECT_EQ(b.IndexOf(1'000'000), 0u);  // le="0.001" includes 0.001
  EXPECT_EQ(b.IndexOf(1'000'001), 1u);
  EXPECT_EQ(b.IndexOf(10'000'000), 1u);
  EXPECT_EQ(b.IndexOf(100'000'001), 3u);  // +Inf
}

TEST(HistogramBuckets, RejectsBadBoundsNamingTheBound) {
  EXPECT_THROW(HistogramBuckets({}), std::invalid_argument);
  try {
    [[maybe_unused]] const HistogramBuckets rejected({0.1, 0.05});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bound #1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(HistogramBuckets({0.1, 0.1}), std::invalid_argument);
  EXPECT_THROW(HistogramBuckets({-1}), std::invalid_argument);
  EXPECT_THROW(HistogramBuckets({1.0 / 0.0}), std::invalid_argument);
  EXPECT_THROW(HistogramBuckets(std::vector<double>(65, 1.0)), std::invalid_argument);
}

TEST(ShardedHistogram, SnapshotIsCumulativeWithSum) {
  HistogramBuckets b({0.001, 0.01});
  ShardedHistogram h(b, 4);
  h.Observe(500'000);        // 0.5 ms
  h.Observe(5'000'000);      // 5 ms
  h.Observe(5'000'000);      // 5 ms
  h.Observe(2'000'000'000);  // 2 s → +Inf
  h.Observe(-5);             // clock went backwards: counted as 0
  const HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.cumulative_counts, (std::vector<std::uint64_t>{2, 4, 5}));
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.sum_seconds, 2.0105);
}

TEST(ShardedHistogram, RejectsShardCountThatIsNotAPowerOfTwo) {
  EXPECT_THROW(ShardedHistogram(HistogramBuckets::Http(), 3), std::invalid_argument);
  EXPECT_THROW(ShardedHistogram(HistogramBuckets::Http(), 0), std::invalid_argument);
}

TEST(ShardedHistogram, ConcurrentObserversLoseNothing) {
  ShardedHistogram h(HistogramBuckets::Http(), DefaultShardCount());
  constexpr int kThreads = 4, kPerThread = 200'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < kPerThread; ++i) h.Observe((t + 1) * 1'000'000);  // t+1 ms
    });
  }
  std::uint64_t seen = 0;
  for (int i = 0; i < 100; ++i) {  // scrapes during recording never go backwards
    const std::uint64_t c = h.Snapshot().count;
    EXPECT_GE(c, seen);
    seen = c;
  }
  for (auto& t : threads) t.join();
  const HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.count, std::uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(s.cumulative_counts[0], std::uint64_t{kPerThread});      // 1 ms ≤ 0.001
  EXPECT_EQ(s.cumulative_counts[1], std::uint64_t{2} * kPerThread);  // 2 ms ≤ 0.0025
  EXPECT_NEAR(s.sum_seconds, 0.001 * kPerThread * (1 + 2 + 3 + 4), 1e-6);
}

// CurrentCpu reads the rseq area instead of calling sched_getcpu(); pinned to each allowed CPU in
// turn, both must name that CPU (a wrong offset or field would read another number).
TEST(CurrentCpu, AgreesWithSchedGetcpuOnEveryCpuThisThreadMayRunOn) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  int checked = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
    EXPECT_EQ(CurrentCpu(), cpu);
    EXPECT_EQ(sched_getcpu(), cpu);
    EXPECT_EQ(CurrentShard(1), 0u);
    ++checked;
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof(allowed), &allowed), 0);
  EXPECT_GE(checked, 1);
}

}  // namespace
}  // namespace pulse::red
