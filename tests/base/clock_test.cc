#include "pulse/base/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace pulse::base {
namespace {

using namespace std::chrono_literals;

TEST(FakeClock, MovesOnlyWhenAdvancedAndSleepIsInstant) {
  FakeClock clock;
  const auto t0 = clock.Now();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(5s);
  EXPECT_EQ(clock.Now() - t0, 5s);
  EXPECT_EQ(clock.WallNow(), std::chrono::sys_days{std::chrono::year{2026} / 1 / 1} + 5s);
  Stopper stop;
  EXPECT_FALSE(clock.Sleep(1h, stop));
  EXPECT_EQ(clock.Now() - t0, 1h + 5s);
  stop.Stop();
  EXPECT_TRUE(clock.Sleep(1h, stop));
  EXPECT_EQ(clock.Now() - t0, 1h + 5s) << "a stopped sleep does not advance time";
}

TEST(FakeClock, SubscribersHearEveryAdvanceUntilUnsubscribed) {
  FakeClock clock;
  int calls = 0;
  {
    ClockSubscription sub = clock.OnAdvance([&] { ++calls; });
    clock.Advance(1ms);
    Stopper stop;
    clock.Sleep(1ms, stop);
    EXPECT_EQ(calls, 2);
    ClockSubscription moved = std::move(sub);
    clock.Advance(1ms);
    EXPECT_EQ(calls, 3);
  }
  clock.Advance(1ms);
  EXPECT_EQ(calls, 3);
}

TEST(RealClock, DefaultClockIsRealAndNeverCallsSubscribers) {
  Clock& clock = DefaultClock();
  EXPECT_EQ(&clock, &DefaultClock());
  bool called = false;
  ClockSubscription sub = clock.OnAdvance([&] { called = true; });
  const auto before = clock.Now();
  EXPECT_GE(clock.Now(), before);
  EXPECT_FALSE(called);
}

TEST(Stopper, WakesASleeperAtOnce) {
  Stopper stop;
  RealClock clock;
  std::atomic<bool> stopped{false};
  std::thread sleeper([&] { stopped = clock.Sleep(1h, stop); });
  stop.Stop();
  sleeper.join();  // would hang for an hour if Stop did not wake it
  EXPECT_TRUE(stopped.load());
  EXPECT_TRUE(stop.stopped());
}

}  // namespace
}  // namespace pulse::base
