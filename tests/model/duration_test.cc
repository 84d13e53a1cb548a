#include "pulse/model/duration.h"

#include <gtest/gtest.h>

namespace pulse::model {
namespace {

using std::chrono::milliseconds;

TEST(Duration, ParsesPrometheusSyntax) {
  struct Case {
    const char* text;
    std::int64_t ms;
  };
  for (const Case& c :
       {Case{"0", 0}, Case{"0s", 0}, Case{"15s", 15'000}, Case{"1m30s", 90'000}, Case{"500ms", 500},
        Case{"1h", 3'600'000}, Case{"30d", 30LL * 86'400'000}, Case{"2w", 14LL * 86'400'000},
        Case{"1y", 365LL * 86'400'000}, Case{"1h1m1s1ms", 3'661'001}, Case{"90m", 5'400'000}}) {
    Result<Duration> d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.error().detail;
    EXPECT_EQ(d.value().value, milliseconds(c.ms)) << c.text;
    EXPECT_EQ(d.value().text, c.text);
  }
}

TEST(Duration, RejectsWhatPrometheusRejects) {
  struct Case {
    const char* text;
    const char* detail;
  };
  for (const Case& c : {
           Case{"", "empty duration"},
           Case{"30",
                "invalid duration \"30\": unknown or missing unit (want y, w, d, h, m, s or ms)"},
           Case{"1.5s",
                "invalid duration \"1.5s\": unknown or missing unit (want y, w, d, h, m, s or ms)"},
           Case{
               "-5s",
               "invalid duration \"-5s\": want a number followed by a unit (y, w, d, h, m, s, ms)"},
           Case{"30s1m",
                "invalid duration \"30s1m\": units must appear once each, largest first (y w d h m "
                "s ms)"},
           Case{"1s1s",
                "invalid duration \"1s1s\": units must appear once each, largest first (y w d h m "
                "s ms)"},
           Case{"5 s",
                "invalid duration \"5 s\": unknown or missing unit (want y, w, d, h, m, s or ms)"},
           Case{"1us",
                "invalid duration \"1us\": unknown or missing unit (want y, w, d, h, m, s or ms)"},
           Case{"300y", "duration \"300y\" is out of range (at most about 292 years)"},
           Case{"99999999999999999999999s",
                "duration \"99999999999999999999999s\" is out of range (at most about 292 years)"},
       }) {
    Result<Duration> d = ParseDuration(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.error().detail, c.detail) << c.text;
    EXPECT_EQ(d.error().value, c.text);
  }
}

TEST(Duration, FormatsLikePrometheus) {
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(90'000)), "1m30s");
  EXPECT_EQ(FormatDuration(milliseconds(86'400'000)), "1d");
  EXPECT_EQ(FormatDuration(milliseconds(7 * 86'400'000LL)), "1w");
  EXPECT_EQ(FormatDuration(milliseconds(90 * 86'400'000LL)), "90d");  // not 12w6d
  EXPECT_EQ(FormatDuration(milliseconds(1'500)), "1s500ms");
}

TEST(Duration, RoundTripsThroughFormat) {
  for (std::int64_t ms : {1LL, 999LL, 60'000LL, 3'723'004LL, 400LL * 86'400'000}) {
    Result<Duration> d = ParseDuration(FormatDuration(milliseconds(ms)));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d.value().value.count(), ms);
  }
}

}  // namespace
}  // namespace pulse::model
