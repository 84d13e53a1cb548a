#include "pulse/red/space_saving.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <unordered_map>

#include "zipf.h"

namespace pulse::red {
namespace {

TEST(SpaceSaving, EvictsTheSmallestAndInheritsItsCountAsError) {
  SpaceSaving s(2);
  for (const char* k : {"a", "a", "b", "c"}) s.Increment(k);
  const auto e = s.Entries();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].key, "a");
  EXPECT_EQ(e[0].estimate, 2u);
  EXPECT_EQ(e[0].exact(), 2u);
  EXPECT_EQ(e[1].key, "c");
  EXPECT_EQ(e[1].estimate, 2u);  // b's 1 + its own 1
  EXPECT_EQ(e[1].error, 1u);
  EXPECT_EQ(e[1].exact(), 1u);
  EXPECT_EQ(s.untracked_total(), 1u);  // b's request
  EXPECT_EQ(s.total(), 4u);
  EXPECT_EQ(s.evictions(), 1u);
}

TEST(SpaceSaving, UntrackedIncrementsNeverCreateAnEntry) {
  SpaceSaving s(4);
  s.IncrementUntracked();
  s.Increment("x");
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.untracked_total(), 1u);
  EXPECT_EQ(s.total(), 2u);
}

TEST(SpaceSaving, RejectsCapacityOutOfRange) {
  EXPECT_THROW(SpaceSaving(0), std::invalid_argument);
  EXPECT_THROW(SpaceSaving(SpaceSaving::kMaxCapacity + 1), std::invalid_argument);
}

// The Space-Saving guarantees, checked after every single increment against exact counts, for
// several capacities (including 1, where every new key evicts) and stream shapes.
class SpaceSavingInvariants : public ::testing::TestWithParam<std::tuple<std::size_t, double>> {};

TEST_P(SpaceSavingInvariants, HoldAfterEveryIncrement) {
  const auto [capacity, zipf_s] = GetParam();
  SpaceSaving s(capacity);
  testing::Zipf zipf(500, zipf_s);
  std::mt19937_64 rng(capacity * 31 + static_cast<std::uint64_t>(zipf_s * 10));
  std::unordered_map<std::string, std::uint64_t> truth;
  std::uint64_t last_untracked = 0;
  for (int n = 1; n <= 5000; ++n) {
    const std::string key = "k" + std::to_string(zipf(rng));
    s.Increment(key);
    ++truth[key];
    ASSERT_GE(s.untracked_total(), last_untracked) << "untracked decreased at step " << n;
    last_untracked = s.untracked_total();
    if (n % 97 != 0 && n != 5000) continue;  // full check periodically (it is O(K))
    const auto entries = s.Entries();
    std::set<std::string> keys;
    std::uint64_t tracked_exact = 0;
    for (const auto& e : entries) {
      ASSERT_TRUE(keys.insert(e.key).second) << "duplicate key " << e.key;
      const std::uint64_t t = truth[e.key];
      ASSERT_LE(e.exact(), t) << e.key;
      ASSERT_GE(e.estimate, t) << e.key;
      ASSERT_LE(e.estimate - t, static_cast<std::uint64_t>(n) / capacity) << e.key;
      tracked_exact += e.exact();
    }
    ASSERT_EQ(tracked_exact + s.untracked_total(), static_cast<std::uint64_t>(n));
    for (const auto& [k, t] : truth) {
      if (t > static_cast<std::uint64_t>(n) / capacity) {
        ASSERT_TRUE(keys.count(k)) << k << " with " << t << " of " << n << " is not tracked";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Capacities, SpaceSavingInvariants,
                         ::testing::Combine(::testing::Values(1, 2, 7, 64, 600),
                                            ::testing::Values(0.0, 0.8, 1.5)));

// 1,000,000 distinct users through K = 1000: memory stops growing once the K entries exist.
TEST(SpaceSaving, MemoryIsBoundedWithAMillionDistinctUsers) {
  SpaceSaving s(1000);
  char buf[32];
  std::size_t after_warmup = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    const int len = std::snprintf(buf, sizeof buf, "user-%07d", i);
    s.Increment(std::string_view(buf, static_cast<std::size_t>(len)));
    if (i == 10'000) after_warmup = s.MemoryBytes();
  }
  EXPECT_EQ(s.size(), 1000u);
  EXPECT_EQ(s.total(), 1'000'000u);
  EXPECT_EQ(s.MemoryBytes(), after_warmup);
  EXPECT_LT(s.MemoryBytes(), 200u * 1000u);  // ~100 bytes per tracked user
}

}  // namespace
}  // namespace pulse::red
