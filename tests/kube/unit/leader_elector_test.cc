// Leader election logic against an in-memory Lease with a fake clock: deterministic, no waiting.
// The real-Lease, two-process behaviour is tested in integration/leader_election_test.cc.
#include "pulse/kube/leader_elector.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "pulse/testing/eventually.h"

namespace pulse::kube {
namespace {

using namespace std::chrono_literals;
using base::FakeClock;
using base::RealClock;
using base::Stopper;

// A Lease with optimistic concurrency, like the API server's.
class MemoryLeaseLock : public LeaseLock {
 public:
  std::optional<LeaseRecord> Get(std::string* rv) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail) throw std::runtime_error("API unreachable");
    if (!record_) return std::nullopt;
    *rv = std::to_string(version_);
    return record_;
  }
  bool Create(const LeaseRecord& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail) throw std::runtime_error("API unreachable");
    if (record_) return false;
    record_ = r;
    ++version_;
    return true;
  }
  bool Update(const LeaseRecord& r, const std::string& rv) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail) throw std::runtime_error("API unreachable");
    if (rv != std::to_string(version_)) return false;
    record_ = r;
    ++version_;
    return true;
  }
  std::string Describe() const override { return "memory"; }
  // Successful writes (create + updates): renewals show up here.
  long long version() {
    std::lock_guard<std::mutex> lock(mu_);
    return version_;
  }
  LeaseRecord record() {
    std::lock_guard<std::mutex> lock(mu_);
    return *record_;
  }
  std::atomic<bool> fail{false};

 private:
  std::mutex mu_;
  std::optional<LeaseRecord> record_;
  long version_ = 0;
};

LeaderElectionConfig Cfg(const std::string& id) {
  LeaderElectionConfig c;
  c.identity = id;
  c.lease_duration = 15s;
  c.renew_deadline = 10s;
  c.retry_period = 2s;
  return c;
}

TEST(LeaderElector, RejectsInconsistentTimings) {
  MemoryLeaseLock lock;
  FakeClock clock;
  auto c = Cfg("a");
  c.renew_deadline = 20s;
  EXPECT_THROW(LeaderElector(c, lock, clock), std::invalid_argument);
  EXPECT_THROW(LeaderElector(Cfg(""), lock, clock), std::invalid_argument);
}

TEST(LeaderElector, FirstCandidateCreatesTheLeaseSecondWaits) {
  MemoryLeaseLock lock;
  FakeClock clock_a, clock_b;
  LeaderElector a(Cfg("a"), lock, clock_a);
  LeaderElector b(Cfg("b"), lock, clock_b);
  EXPECT_TRUE(a.TryAcquireOrRenew());
  EXPECT_FALSE(b.TryAcquireOrRenew());
  EXPECT_EQ(b.ObservedLeader(), "a");
  EXPECT_EQ(lock.record().holder, "a");
  EXPECT_EQ(lock.record().lease_duration_seconds, 15);
  // a keeps renewing: b never gets it, however long it waits.
  for (int i = 0; i < 20; ++i) {
    clock_a.Advance(2s);
    clock_b.Advance(2s);
    EXPECT_TRUE(a.TryAcquireOrRenew());
    EXPECT_FALSE(b.TryAcquireOrRenew());
  }
  EXPECT_EQ(lock.record().lease_transitions, 0);
}

TEST(LeaderElector, TakesOverOnlyAfterTheLeaseExpiresOnItsOwnClock) {
  MemoryLeaseLock lock;
  FakeClock clock_a, clock_b;
  LeaderElector a(Cfg("a"), lock, clock_a);
  LeaderElector b(Cfg("b"), lock, clock_b);
  ASSERT_TRUE(a.TryAcquireOrRenew());
  ASSERT_FALSE(b.TryAcquireOrRenew());  // b observes the record now
  // a dies. b's clock: 14 s later still not expired, 15 s later it is.
  clock_b.Advance(14s);
  EXPECT_FALSE(b.TryAcquireOrRenew());
  clock_b.Advance(1s);
  EXPECT_TRUE(b.TryAcquireOrRenew());
  EXPECT_EQ(lock.record().holder, "b");
  EXPECT_EQ(lock.record().lease_transitions, 1);
  // a comes back: it must not steal the lease back.
  EXPECT_FALSE(a.TryAcquireOrRenew());
}

TEST(LeaderElector, ReleaseLetsTheOtherTakeOverAtOnce) {
  MemoryLeaseLock lock;
  FakeClock clock_a, clock_b;
  LeaderElector a(Cfg("a"), lock, clock_a);
  LeaderElector b(Cfg("b"), lock, clock_b);
  ASSERT_TRUE(a.TryAcquireOrRenew());
  ASSERT_FALSE(b.TryAcquireOrRenew());
  EXPECT_TRUE(a.Release());
  EXPECT_EQ(lock.record().holder, "");
  EXPECT_TRUE(b.TryAcquireOrRenew());
}

TEST(LeaderElector, RunStepsDownWhenRenewalsFailForTheRenewDeadline) {
  MemoryLeaseLock lock;
  FakeClock clock;
  std::atomic<int> started{0}, stopped{0};
  auto cfg = Cfg("a");
  cfg.on_started_leading = [&] {
    ++started;
    lock.fail = true;  // the API goes away right after we became leader
  };
  cfg.on_stopped_leading = [&] { ++stopped; };
  LeaderElector a(cfg, lock, clock);
  Stopper stop;
  const auto t0 = clock.Now();
  a.Run(stop);  // returns by itself: renewals fail
  EXPECT_EQ(started.load(), 1);
  EXPECT_EQ(stopped.load(), 1);
  EXPECT_FALSE(a.IsLeader());
  const auto led = clock.Now() - t0;
  EXPECT_GE(led, 10s);
  EXPECT_LT(led, 15s) << "must step down before the lease can expire for others";
}

TEST(LeaderElector, RunReleasesOnCleanStop) {
  MemoryLeaseLock lock;
  RealClock clock;
  auto cfg = Cfg("a");
  cfg.lease_duration = 1500ms;
  cfg.renew_deadline = 1000ms;
  cfg.retry_period = 100ms;
  std::atomic<bool> leading{false};
  cfg.on_started_leading = [&] { leading = true; };
  cfg.on_stopped_leading = [&] { leading = false; };
  LeaderElector a(cfg, lock, clock);
  Stopper stop;
  std::thread t([&] { a.Run(stop); });
  ASSERT_TRUE(pulse::testing::Eventually([&] { return leading.load(); }, 10s));
  ASSERT_TRUE(a.IsLeader());
  // Stop only after a few renewals, so the release is tested on a lease that was renewed.
  const long long acquired_at = lock.version();
  ASSERT_TRUE(pulse::testing::Eventually([&] { return lock.version() >= acquired_at + 3; }, 10s));
  stop.Stop();
  t.join();
  EXPECT_FALSE(leading.load());
  EXPECT_EQ(lock.record().holder, "") << "released on clean stop";
}

TEST(LeaderElector, CampaignStopsWhenStopped) {
  MemoryLeaseLock lock;
  FakeClock clock;
  LeaderElector a(Cfg("a"), lock, clock);
  LeaderElector b(Cfg("b"), lock, clock);
  ASSERT_TRUE(a.TryAcquireOrRenew());
  Stopper stop;
  stop.Stop();
  b.Run(stop);  // returns at once, never leader
  EXPECT_FALSE(b.IsLeader());
  EXPECT_EQ(lock.record().holder, "a");
}

}  // namespace
}  // namespace pulse::kube
