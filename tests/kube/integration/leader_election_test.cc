// Two candidate processes on one real Lease: exactly one leader at a time; killing the leader
// (SIGKILL: no release) hands over within the lease duration; a clean stop releases at once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "kube_test_env.h"
#include "pulse/kube/leader_elector.h"
#include "pulse/kube/time_format.h"

namespace pulse::kube {
namespace {

using namespace std::chrono_literals;

constexpr int kLeaseMs = 4000, kRenewMs = 3000, kRetryMs = 500;

struct Candidate {
  std::string id;
  std::string out;
  pid_t pid = -1;
};

Candidate Spawn(const std::string& ns, const std::string& id) {
  Candidate c{id, testenv::StateDir() + "/elector-" + ns + "-" + id + ".out", -1};
  const std::string helper = testenv::BinaryDir() + "/tests/kube/kube_elector_helper";
  const std::string kubeconfig = testenv::Get("kube", "KUBECONFIG");
  c.pid = ::fork();
  if (c.pid == 0) {
    FILE* f = std::freopen(c.out.c_str(), "w", stdout);
    (void)f;
    ::execl(helper.c_str(), helper.c_str(), kubeconfig.c_str(), ns.c_str(), "pulse-test",
            id.c_str(), std::to_string(kLeaseMs).c_str(), std::to_string(kRenewMs).c_str(),
            std::to_string(kRetryMs).c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  return c;
}

struct Span {
  std::string id;
  long long start = 0;
  long long end = 0;  // 0 = still leading
};

// Leadership intervals from a candidate's output; `killed_at` closes an open one.
std::vector<Span> Spans(const Candidate& c, long long killed_at = 0) {
  std::ifstream in(c.out);
  std::vector<Span> spans;
  std::string word, id;
  long long t = 0;
  while (in >> word >> id >> t) {
    if (word == "LEADING") spans.push_back({id, t, 0});
    if (word == "STOPPED" && !spans.empty() && spans.back().end == 0) spans.back().end = t;
  }
  if (killed_at != 0 && !spans.empty() && spans.back().end == 0) spans.back().end = killed_at;
  return spans;
}

long long NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Waits until the Lease has shown `count` distinct renewTimes (the holder renews every retry
// period) while one and the same candidate held it; returns that holder, "" on timeout.
std::string HolderAfterRenewals(const Client& c, const std::string& ns, std::size_t count) {
  std::set<std::string> renewals;
  std::string holder;
  bool changed_hands = false;
  const bool renewed = testing::Eventually(
      [&] {
        Json spec;
        try {
          spec = c.Get(Leases(), ns, "pulse-test")["spec"];
        } catch (const ApiError&) {
          return false;
        }
        const std::string now = spec.value("holderIdentity", "");
        if (holder.empty()) holder = now;
        changed_hands |= now != holder;
        renewals.insert(spec.value("renewTime", ""));
        return renewals.size() >= count;
      },
      30s);
  EXPECT_FALSE(changed_hands) << "leadership moved while the leader was healthy";
  return renewed && !changed_hands ? holder : "";
}

std::string Holder(const Client& c, const std::string& ns) {
  try {
    return c.Get(Leases(), ns, "pulse-test")["spec"].value("holderIdentity", "");
  } catch (const ApiError&) {
    return "";
  }
}

TEST(LeaderElection, OneLeaderAtATimeAndFailoverWithinTheLeaseDuration) {
  Client admin(testing::AdminConfig());
  const std::string ns = testing::CreateNamespace(admin, "elect");
  Candidate a = Spawn(ns, "alpha");
  Candidate b = Spawn(ns, "beta");
  // Several renew rounds with both candidates running, seen on the Lease itself.
  const std::string first = HolderAfterRenewals(admin, ns, 5);
  ASSERT_FALSE(first.empty());
  ASSERT_EQ(Holder(admin, ns), first);
  Candidate& leader = first == "alpha" ? a : b;
  Candidate& follower = first == "alpha" ? b : a;
  ASSERT_EQ(Spans(leader).size(), 1u);
  ASSERT_TRUE(Spans(follower).empty()) << "two leaders at once";

  // Kill the leader without a chance to release.
  const Json before = admin.Get(Leases(), ns, "pulse-test");
  ASSERT_EQ(::kill(leader.pid, SIGKILL), 0);
  const long long killed_at = NowMs();
  ::waitpid(leader.pid, nullptr, 0);
  ASSERT_TRUE(testing::Eventually([&] { return !Spans(follower).empty(); }, 30s));
  const long long took_over = Spans(follower)[0].start;
  const auto last_renew = ParseTime(before["spec"]["renewTime"].get<std::string>());
  ASSERT_TRUE(last_renew.has_value());
  const long long since_kill = took_over - killed_at;
  std::printf("failover: %lld ms after SIGKILL (lease %d ms, retry %d ms)\n", since_kill, kLeaseMs,
              kRetryMs);
  // The follower must wait out the lease as it observes it (it saw the last renewal up to one
  // retry period late), and must not wait much longer than that.
  EXPECT_GE(since_kill, kLeaseMs - kRetryMs - 600);
  EXPECT_LE(since_kill, kLeaseMs + 2 * kRetryMs + 1000);
  EXPECT_EQ(Holder(admin, ns), follower.id);
  const Json after = admin.Get(Leases(), ns, "pulse-test");
  EXPECT_EQ(after["spec"]["leaseTransitions"].get<int>(),
            before["spec"].value("leaseTransitions", 0) + 1);

  // Intervals never overlap (the killed one ends at its kill).
  const auto sa = Spans(leader, killed_at);
  const auto sb = Spans(follower);
  for (const auto& x : sa) {
    for (const auto& y : sb) {
      const long long xe = x.end ? x.end : LLONG_MAX, ye = y.end ? y.end : LLONG_MAX;
      EXPECT_TRUE(xe <= y.start || ye <= x.start) << "overlapping leadership";
    }
  }

  // A clean stop releases the Lease: the holder becomes empty at once.
  ASSERT_EQ(::kill(follower.pid, SIGTERM), 0);
  int status = 0;
  ::waitpid(follower.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(Holder(admin, ns), "");
  const auto final_spans = Spans(follower);
  ASSERT_EQ(final_spans.size(), 1u);
  EXPECT_NE(final_spans[0].end, 0) << "on_stopped_leading ran";
}

TEST(LeaderElection, ReleasedLeaseIsTakenWithoutWaiting) {
  Client admin(testing::AdminConfig());
  const std::string ns = testing::CreateNamespace(admin, "release");
  Candidate a = Spawn(ns, "first");
  ASSERT_TRUE(testing::Eventually([&] { return Holder(admin, ns) == "first"; }, 30s));
  Candidate b = Spawn(ns, "second");
  // Renewals while "second" retries every 500 ms: it never takes a held lease.
  EXPECT_EQ(HolderAfterRenewals(admin, ns, 4), "first");
  ::kill(a.pid, SIGTERM);
  const long long stopped_at = NowMs();
  ::waitpid(a.pid, nullptr, 0);
  ASSERT_TRUE(testing::Eventually([&] { return !Spans(b).empty(); }, 30s));
  EXPECT_LT(Spans(b)[0].start - stopped_at, kLeaseMs) << "had to wait out a released lease";
  ::kill(b.pid, SIGTERM);
  ::waitpid(b.pid, nullptr, 0);
}

}  // namespace
}  // namespace pulse::kube
