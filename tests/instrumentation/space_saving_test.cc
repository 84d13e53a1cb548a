#include "pulse/red/space_saving.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
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

// Keys are stored in the slot up to kShortKey bytes and in a string beyond; equality is checked
// with overlapping word loads. Keys of every length 0..60 that differ from each other in exactly
// one byte (first, middle or last) must stay distinct, come back intact, and count exactly.
TEST(SpaceSaving, KeysOfEveryLengthDifferingInOneByteStayDistinct) {
  std::vector<std::string> keys;
  for (std::size_t n = 0; n <= 60; ++n) {
    const std::string base(n, 'k');
    keys.push_back(base);
    for (std::size_t pos : {std::size_t{0}, n / 2, n > 0 ? n - 1 : 0}) {
      if (n == 0) break;
      std::string k = base;
      k[pos] = static_cast<char>('a' + pos % 20);
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  pulse::red::SpaceSaving s(keys.size());
  for (std::size_t round = 1; round <= 3; ++round) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      for (std::size_t r = 0; r <= i % 3; ++r) s.Increment(keys[i]);
    }
  }
  ASSERT_EQ(s.size(), keys.size());
  EXPECT_EQ(s.evictions(), 0u);
  std::map<std::string, std::uint64_t> got;
  for (const auto& e : s.Entries()) got[e.key] = e.exact();
  ASSERT_EQ(got.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(got[keys[i]], 3 * (i % 3 + 1)) << "key of length " << keys[i].size();
  }
}

// An evicted slot that held a long key (heap string) takes a short one and back again.
TEST(SpaceSaving, SlotsSwitchBetweenShortAndLongKeys) {
  pulse::red::SpaceSaving s(1);
  const std::string long_key(100, 'L');
  s.Increment(long_key);
  s.Increment("short");
  s.Increment(long_key + "x");
  s.Increment("tiny");
  const auto entries = s.Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].key, "tiny");
  EXPECT_EQ(entries[0].estimate, 4u);
  EXPECT_EQ(entries[0].error, 3u);
  EXPECT_EQ(s.untracked_total(), 3u);
}

}  // namespace
}  // namespace pulse::red
