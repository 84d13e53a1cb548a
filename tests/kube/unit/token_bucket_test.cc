// The client-side rate limit on a FakeClock: exact schedules, no sleeping.
#include "pulse/kube/token_bucket.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace pulse::kube {
namespace {

using namespace std::chrono_literals;

std::chrono::milliseconds Elapsed(const base::FakeClock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch());
}

TEST(TokenBucket, BurstPassesAtOnceThenQpsSpacesTheRest) {
  base::FakeClock clock;
  base::Stopper stop;
  TokenBucket bucket(10, 3, clock);  // 10 qps: one token per 100 ms
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(bucket.Acquire(stop), std::chrono::nanoseconds(0)) << "burst request " << i;
  }
  EXPECT_EQ(Elapsed(clock), 0ms);
  // FakeClock::Sleep moves time by exactly the wait, so each acquire shows its own wait.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(bucket.Acquire(stop), std::chrono::nanoseconds(100ms)) << "request " << 3 + i;
  }
  EXPECT_EQ(Elapsed(clock), 400ms);
}

TEST(TokenBucket, IdleTimeRefillsUpToBurstOnly) {
  base::FakeClock clock;
  base::Stopper stop;
  TokenBucket bucket(10, 2, clock);
  bucket.Acquire(stop);
  bucket.Acquire(stop);
  clock.Advance(1h);  // far more than 2 tokens' worth
  EXPECT_EQ(bucket.Acquire(stop), std::chrono::nanoseconds(0));
  EXPECT_EQ(bucket.Acquire(stop), std::chrono::nanoseconds(0));
  EXPECT_EQ(bucket.Acquire(stop), std::chrono::nanoseconds(100ms))
      << "the bucket holds 2, not 36000";
  clock.Advance(50ms);  // half a token
  EXPECT_EQ(bucket.Acquire(stop), std::chrono::nanoseconds(50ms));
}

TEST(TokenBucket, ZeroQpsIsUnlimitedAndBurstBelowOneCountsAsOne) {
  base::FakeClock clock;
  base::Stopper stop;
  TokenBucket unlimited(0, 0, clock);
  EXPECT_TRUE(unlimited.unlimited());
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(unlimited.Acquire(stop), std::chrono::nanoseconds(0));
  EXPECT_EQ(Elapsed(clock), 0ms);

  TokenBucket one(4, 0, clock);
  EXPECT_EQ(one.Acquire(stop), std::chrono::nanoseconds(0));
  EXPECT_EQ(one.Acquire(stop), std::chrono::nanoseconds(250ms));
}

TEST(TokenBucket, AStoppedBucketRefusesAtOnce) {
  base::FakeClock clock;
  base::Stopper stop;
  TokenBucket bucket(1, 1, clock);
  stop.Stop();
  EXPECT_EQ(bucket.Acquire(stop), std::nullopt) << "even with a token there";
  EXPECT_EQ(Elapsed(clock), 0ms);
}

TEST(TokenBucket, StopWakesEveryWaiterAtOnce) {
  // Real time here: the waiters must really block, and Stop() must really wake them.
  base::Stopper stop;
  TokenBucket bucket(0.001, 1, base::DefaultClock());  // after the first, one per 1000 s
  ASSERT_EQ(bucket.Acquire(stop), std::chrono::nanoseconds(0));
  std::atomic<int> refused{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&] {
      if (!bucket.Acquire(stop)) ++refused;
    });
  }
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(refused.load(), 0) << "they wait";
  const auto t0 = std::chrono::steady_clock::now();
  stop.Stop();
  for (auto& t : waiters) t.join();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(refused.load(), 3);
  EXPECT_LT(took, 1s);
}

}  // namespace
}  // namespace pulse::kube
