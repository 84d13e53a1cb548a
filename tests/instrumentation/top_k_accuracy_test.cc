// Top-K accuracy under a Zipf load with a known truth (docs/instrumentation.md states the
// bounds checked here).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "pulse/red/user_top_k.h"
#include "zipf.h"

namespace pulse::red {
namespace {

constexpr std::size_t kUsers = 1'000'000;
constexpr std::size_t kK = 100;

struct Load {
  Load() : zipf(kUsers, 1.1), rng(2026) {}
  std::string Next() { return "u" + std::to_string(zipf(rng)); }
  testing::Zipf zipf;
  std::mt19937_64 rng;
};

std::unordered_map<std::string, const UserTopK::Snapshot::User*> ByName(
    const UserTopK::Snapshot& s) {
  std::unordered_map<std::string, const UserTopK::Snapshot::User*> m;
  for (const auto& u : s.users) m[u.user] = &u;
  return m;
}

TEST(TopKAccuracy, ZipfUsersAreReportedWithinTheStatedError) {
  UserTopK top(kK);
  Load load;
  std::unordered_map<std::string, std::uint64_t> truth;
  constexpr std::uint64_t kPhase1 = 1'000'000, kPhase2 = 500'000;
  for (std::uint64_t i = 0; i < kPhase1; ++i) {
    const std::string u = load.Next();
    ++truth[u];
    top.Record(u);
  }
  const UserTopK::Snapshot a = top.Take();
  const auto truth_a = truth;
  for (std::uint64_t i = 0; i < kPhase2; ++i) {
    const std::string u = load.Next();
    ++truth[u];
    top.Record(u);
  }
  const UserTopK::Snapshot b = top.Take();
  const std::uint64_t n = kPhase1 + kPhase2;

  // 1. Conservation: tracked counters + __other__ account for every request.
  std::uint64_t sum = b.other;
  for (const auto& u : b.users) sum += u.requests;
  EXPECT_EQ(sum, n);

  // 2. Guaranteed bound: every exported counter is within N/K below the truth, never above.
  for (const auto& u : b.users) {
    const std::uint64_t t = truth[u.user];
    EXPECT_LE(u.requests, t) << u.user;
    EXPECT_GE(u.requests + n / kK, t) << u.user;
  }

  // 3. Guaranteed recall: every user above N/K requests is tracked.
  std::vector<std::pair<std::uint64_t, std::string>> ranked;
  for (const auto& [user, t] : truth) ranked.emplace_back(t, user);
  std::sort(ranked.rbegin(), ranked.rend());
  const auto tracked = ByName(b);
  for (const auto& [t, user] : ranked) {
    if (t <= n / kK) break;
    EXPECT_TRUE(tracked.count(user)) << user << " has " << t << " requests";
  }

  // 4. Observed accuracy for the true top 10: within 0.5 % of the truth (in practice they are
  //    admitted within their first few requests, so the error is a handful of requests).
  for (std::size_t r = 0; r < 10; ++r) {
    const auto& [t, user] = ranked[r];
    ASSERT_TRUE(tracked.count(user)) << user;
    EXPECT_GE(static_cast<double>(tracked.at(user)->requests), 0.995 * static_cast<double>(t))
        << user;
  }

  // 5. rate(): for users tracked through the whole window the increase between two scrapes is
  //    exact — here the true top 10, whose counts are far above the eviction threshold.
  const auto at_a = ByName(a);
  for (std::size_t r = 0; r < 10; ++r) {
    const std::string& user = ranked[r].second;
    ASSERT_TRUE(at_a.count(user)) << user;
    EXPECT_EQ(tracked.at(user)->requests - at_a.at(user)->requests, truth[user] - truth_a.at(user))
        << user;
  }
  // __other__ is a counter: it never decreased between the two scrapes.
  EXPECT_GE(b.other, a.other);
}

}  // namespace
}  // namespace pulse::red
