#include "flag_value.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "shard_flag.h"

namespace pulse::cli {
namespace {

using std::chrono::milliseconds;

TEST(FlagValue, AcceptsEqualsAndSeparateValue) {
  const std::vector<std::string> argv = {"--a=1", "--b", "two"};
  std::size_t i = 0;
  std::string v;
  EXPECT_EQ(FlagValue(argv, i, "--a", &v), "");
  EXPECT_EQ(v, "1");
  EXPECT_EQ(i, 0u);
  i = 1;
  EXPECT_EQ(FlagValue(argv, i, "--b", &v), "");
  EXPECT_EQ(v, "two");
  EXPECT_EQ(i, 2u);  // advanced past the separate value
}

TEST(FlagValue, RefusesMissingAndEmptyValues) {
  const std::vector<std::string> argv = {"--a=", "--b"};
  std::size_t i = 0;
  std::string v;
  EXPECT_EQ(FlagValue(argv, i, "--a", &v), "--a needs a non-empty value");
  i = 1;
  EXPECT_EQ(FlagValue(argv, i, "--b", &v), "--b needs a value");
}

TEST(ParseInRange, TakesTheWholeTextInRangeOnly) {
  int n = -1;
  EXPECT_TRUE(ParseInRange<int>("64", 1, 64, &n));
  EXPECT_EQ(n, 64);
  for (const char* bad : {"65", "0", "", "8x", " 8", "-1", "99999999999999999999"}) {
    int m = 7;
    EXPECT_FALSE(ParseInRange<int>(bad, 1, 64, &m)) << bad;
    EXPECT_EQ(m, 7) << "left untouched on " << bad;
  }
  double d = 0;
  EXPECT_TRUE(ParseInRange(std::string("2.5"), 0.0, 10.0, &d));
  EXPECT_EQ(d, 2.5);
  EXPECT_FALSE(ParseInRange(std::string("nan"), 0.0, 10.0, &d));
  EXPECT_FALSE(ParseInRange(std::string("1e999"), 0.0, 10.0, &d));
}

TEST(ParseFlagDuration, UsesPulsesDurationGrammar) {
  milliseconds out{0};
  EXPECT_EQ(ParseFlagDuration("--x", "1m30s", false, &out), "");
  EXPECT_EQ(out, milliseconds(90000));
  EXPECT_EQ(ParseFlagDuration("--x", "500ms", false, &out), "");
  EXPECT_EQ(out, milliseconds(500));
  EXPECT_EQ(ParseFlagDuration("--x", "0s", true, &out), "");
  EXPECT_EQ(out, milliseconds(0));
}

TEST(ParseFlagDuration, RefusesZeroWhenNotAllowedAndMalformedText) {
  milliseconds out{1234};
  EXPECT_EQ(ParseFlagDuration("--resync", "0s", false, &out),
            "--resync wants a positive duration such as 15s, 500ms or 1m30s, got \"0s\"");
  for (const char* bad : {"15", "-1s", "1.5s", "s", "1s1m", "10x"}) {
    EXPECT_EQ(
        ParseFlagDuration("--settle", bad, true, &out),
        std::string("--settle wants a duration such as 15s, 500ms or 1m30s, got \"") + bad + "\"")
        << bad;
  }
  EXPECT_EQ(out, milliseconds(1234));
}

TEST(ShardFlags, RangeAndMessage) {
  std::uint32_t n = 0;
  EXPECT_EQ(ParseShardCount("--shards", "4", &n), "");
  EXPECT_EQ(n, 4u);
  EXPECT_EQ(ParseShardCount("--shards", "0", &n),
            "--shards wants a whole number from 1 to 64, got \"0\"");
  EXPECT_EQ(ParseShardIndex("--shard", "63", &n), "");
  EXPECT_EQ(n, 63u);
  EXPECT_NE(ParseShardIndex("--shard", "64", &n), "");
  EXPECT_EQ(ShardConfigSecret("pulse-prometheus-config", 2), "pulse-prometheus-config-shard-2");
}

}  // namespace
}  // namespace pulse::cli
