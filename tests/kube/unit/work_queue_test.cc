#include "pulse/kube/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
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
  // Level-based guarantee: the producer bumps a key's version before each Add; a worker records
  // the version current when it picks the key up. Whatever de-duplication drops, the last
  // version of every key must have been seen by some worker.
  std::map<std::string, int> version, seen;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (++active[*key] > 1) overlap = true;
          seen[*key] = version[*key];
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
  for (int i = 0; i < 2000; ++i) {
    const std::string key = "k" + std::to_string(i % 5);
    {
      std::lock_guard<std::mutex> lock(mu);
      ++version[key];
    }
    q.Add(key);
  }
  q.ShutDownWithDrain();
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap.load());
  EXPECT_LE(processed.load(), 2000);
  ASSERT_EQ(version.size(), 5u);
  for (const auto& [key, v] : version) {
    EXPECT_EQ(seen[key], v) << key << ": an Add after the last pick-up was lost";
  }
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueue, AddAfterDelaysAndKeepsEarliest) {
  base::FakeClock clock;
  WorkQueue q({}, clock);
  q.AddAfter("late", 300ms);
  q.AddAfter("x", 200ms);
  q.AddAfter("x", 50ms);   // earlier wins
  q.AddAfter("x", 400ms);  // later is ignored
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(49ms);
  EXPECT_EQ(q.Len(), 0u) << "x is due only after 50 ms";
  clock.Advance(1ms);
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.Get(), "x");
  clock.Advance(150ms);  // t = 200 ms: the replaced 200 ms entry of x must not fire
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(99ms);
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(1ms);  // t = 300 ms
  EXPECT_EQ(q.Get(), "late");
  clock.Advance(1s);  // t = 1.3 s: the ignored 400 ms entry of x never existed
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueue, BlockedGetWakesWhenTheClockReachesTheDelay) {
  base::FakeClock clock;
  WorkQueue q({}, clock);
  q.AddAfter("k", 10s);
  std::optional<std::string> got;
  std::thread worker([&] { got = q.Get(); });
  // However long the worker has been blocked, only the clock makes the key due.
  clock.Advance(9s);
  clock.Advance(1s);
  worker.join();
  EXPECT_EQ(got, "k");
}

TEST(WorkQueue, RateLimitedBackoffGrowsPerKeyAndForgetResets) {
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
}

TEST(WorkQueue, AddRateLimitedWaitsTheKeysBackoffOnTheClock) {
  base::FakeClock clock;
  WorkQueue q(WorkQueueOptions{10ms, 80ms}, clock);
  // Each failure doubles the delay: 10, 20, 40 ms.
  int failures = 0;
  for (auto delay : {10ms, 20ms, 40ms}) {
    q.AddRateLimited("k");
    EXPECT_EQ(q.NumRequeues("k"), ++failures);
    clock.Advance(delay - 1ms);
    EXPECT_EQ(q.Len(), 0u) << "due after " << delay.count() << " ms";
    clock.Advance(1ms);
    EXPECT_EQ(q.Len(), 1u);
    EXPECT_EQ(q.Get(), "k");
    q.Done("k");
  }
  EXPECT_EQ(q.NumRequeues("k"), 3);
  q.Forget("k");
  EXPECT_EQ(q.NumRequeues("k"), 0);
  q.AddRateLimited("k");  // back to the base delay
  clock.Advance(10ms);
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.Get(), "k");
}

// A FakeClock that runs `on_now` (once) when the queue reads the time: a window inside
// AddRateLimited, between the backoff step and the key's wait being registered.
class HookedClock final : public base::Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override {
    if (auto hook = std::exchange(on_now, nullptr)) hook();
    return fake.Now();
  }
  std::chrono::system_clock::time_point WallNow() const override { return fake.WallNow(); }
  bool Sleep(std::chrono::nanoseconds d, base::Stopper& stop) override {
    return fake.Sleep(d, stop);
  }
  base::ClockSubscription OnAdvance(std::function<void()> f) override {
    return fake.OnAdvance(std::move(f));
  }
  mutable std::function<void()> on_now;
  base::FakeClock fake;
};

// A controller's test (or a status page) that sees the new requeue count must also find the key
// waiting from the time it was added: reading the count inside that window used to return the
// new value, and a clock advanced then pushed the wake-up past where the backoff put it.
TEST(WorkQueue, TheRequeueCountIsNeverSeenBeforeTheKeyWaits) {
  HookedClock clock;
  WorkQueue q(WorkQueueOptions{10ms, 80ms}, clock);
  std::future<int> seen;
  bool answered_inside = true;
  clock.on_now = [&] {
    seen = std::async(std::launch::async, [&] { return q.NumRequeues("k"); });
    answered_inside = seen.wait_for(100ms) == std::future_status::ready;
  };
  q.AddRateLimited("k");
  EXPECT_FALSE(answered_inside) << "NumRequeues answered while AddRateLimited was half done";
  EXPECT_EQ(seen.get(), 1);
  clock.fake.Advance(10ms);
  EXPECT_EQ(q.Len(), 1u);
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

// A stopping controller finishes what its workers hold and leaves the backlog: thousands of
// queued status writes must not hold a stop for a minute (a pod has 30 s before SIGKILL).
TEST(WorkQueue, ShutDownAndDiscardDropsTheBacklogAndWaitsForInFlightWork) {
  WorkQueue q;
  for (int i = 0; i < 1000; ++i) q.Add("k" + std::to_string(i));
  q.AddAfter("later", 10ms);
  auto key = q.Get();
  ASSERT_EQ(key, "k0");
  std::atomic<bool> done{false};
  std::thread worker([&] {
    std::this_thread::sleep_for(200ms);
    done = true;
    q.Done("k0");
  });
  q.ShutDownAndDiscard();
  EXPECT_TRUE(done.load()) << "returned before the in-flight key was Done";
  EXPECT_EQ(q.Get(), std::nullopt) << "a queued key was handed out after the stop";
  EXPECT_EQ(q.Len(), 0u);
  q.Add("new");
  EXPECT_EQ(q.Get(), std::nullopt);
  worker.join();
}

}  // namespace
}  // namespace pulse::kube
