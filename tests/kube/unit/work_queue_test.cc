#include "pulse/kube/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace pulse::kube {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueue, DeduplicatesWhileQueued) {
  WorkQueue q;
  q.Add("a");
  q.Add("b");
  q.Add("a");
  q.Add("a");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(q.Get(), "a");
  EXPECT_EQ(q.Get(), "b");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueue, KeyAddedWhileProcessingIsRequeuedOnlyAfterDone) {
  WorkQueue q;
  q.Add("a");
  ASSERT_EQ(q.Get(), "a");
  q.Add("a");  // changed again while a worker holds it
  q.Add("a");
  EXPECT_EQ(q.Len(), 0u) << "must not be handed to a second worker";
  q.Done("a");
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.Get(), "a");
  q.Done("a");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueue, NeverTwoWorkersOnOneKey) {
  WorkQueue q;
  std::mutex mu;
  std::map<std::string, int> active;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (++active[*key] > 1) overlap = true;
        }
        std::this_thread::sleep_for(100us);
        {
          std::lock_guard<std::mutex> lock(mu);
          --active[*key];
        }
        ++processed;
        q.Done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) q.Add("k" + std::to_string(i % 5));
  q.ShutDownWithDrain();
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap.load());
  EXPECT_GE(processed.load(), 5);
  EXPECT_LE(processed.load(), 2000);
}

TEST(WorkQueue, AddAfterDelaysAndKeepsEarliest) {
  WorkQueue q;
  const auto start = std::chrono::steady_clock::now();
  q.AddAfter("late", 300ms);
  q.AddAfter("x", 200ms);
  q.AddAfter("x", 50ms);   // earlier wins
  q.AddAfter("x", 400ms);  // later is ignored
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_EQ(q.Get(), "x");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 45ms);
  EXPECT_LT(took, 250ms);
  EXPECT_EQ(q.Get(), "late");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 290ms);
}

TEST(WorkQueue, RateLimitedBackoffGrowsPerKeyAndForgetResets) {
  WorkQueue q(WorkQueueOptions{std::chrono::milliseconds(10), std::chrono::milliseconds(80)});
  ItemExponentialRateLimiter limiter(10ms, 80ms);
  EXPECT_EQ(limiter.When("a"), 10ms);
  EXPECT_EQ(limiter.When("a"), 20ms);
  EXPECT_EQ(limiter.When("a"), 40ms);
  EXPECT_EQ(limiter.When("a"), 80ms);
  EXPECT_EQ(limiter.When("a"), 80ms);  // capped
  EXPECT_EQ(limiter.When("b"), 10ms);  // per key
  EXPECT_EQ(limiter.NumRequeues("a"), 5);
  limiter.Forget("a");
  EXPECT_EQ(limiter.When("a"), 10ms);
  for (int i = 0; i < 200; ++i) limiter.When("many");  // no overflow
  EXPECT_EQ(limiter.When("many"), 80ms);

  q.AddRateLimited("k");
  EXPECT_EQ(q.NumRequeues("k"), 1);
  EXPECT_EQ(q.Get(), "k");
  q.Done("k");
  q.Forget("k");
  EXPECT_EQ(q.NumRequeues("k"), 0);
}

TEST(WorkQueue, ShutDownHandsOutQueuedKeysThenStops) {
  WorkQueue q;
  q.Add("a");
  q.Add("b");
  q.AddAfter("later", 10s);
  q.ShutDown();
  q.Add("ignored");
  EXPECT_TRUE(q.ShuttingDown());
  EXPECT_EQ(q.Get(), "a");
  EXPECT_EQ(q.Get(), "b");
  EXPECT_EQ(q.Get(), std::nullopt);  // the delayed key is dropped, not waited for
}

TEST(WorkQueue, ShutDownWakesBlockedWorkers) {
  WorkQueue q;
  std::atomic<int> exited{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 3; ++i) {
    workers.emplace_back([&] {
      while (q.Get()) {
      }
      ++exited;
    });
  }
  std::this_thread::sleep_for(50ms);
  q.ShutDown();
  for (auto& t : workers) t.join();
  EXPECT_EQ(exited.load(), 3);
}

TEST(WorkQueue, ShutDownWithDrainWaitsForInFlightWork) {
  WorkQueue q;
  q.Add("slow");
  auto key = q.Get();
  ASSERT_EQ(key, "slow");
  std::atomic<bool> done{false};
  std::thread worker([&] {
    std::this_thread::sleep_for(200ms);
    done = true;
    q.Done("slow");
  });
  q.ShutDownWithDrain();
  EXPECT_TRUE(done.load()) << "drain returned before the worker finished";
  worker.join();
}

}  // namespace
}  // namespace pulse::kube
