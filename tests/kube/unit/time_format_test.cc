#include "pulse/kube/time_format.h"

#include <gtest/gtest.h>

namespace pulse::kube {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::system_clock;
using std::chrono::year;

TEST(TimeFormat, MicroTimeRoundTrips) {
  const auto t =
      sys_days{year{2026} / 11 / 27} + hours(6) + minutes(5) + seconds(9) + microseconds(123456);
  const std::string s = FormatMicroTime(system_clock::time_point(t));
  EXPECT_EQ(s, "2026-11-27T06:05:09.123456Z");
  EXPECT_EQ(ParseTime(s), system_clock::time_point(t));
}

TEST(TimeFormat, ParsesVariants) {
  const auto base = system_clock::time_point(sys_days{year{2024} / 2 / 29} + hours(23));
  EXPECT_EQ(ParseTime("2024-02-29T23:00:00Z"), base);
  EXPECT_EQ(ParseTime("2024-03-01T01:00:00+02:00"), base);
  EXPECT_EQ(ParseTime("2024-02-29T22:30:00-00:30"), base);
  EXPECT_EQ(ParseTime("2024-02-29T23:00:00.5Z"), base + milliseconds(500));
}

TEST(TimeFormat, RejectsGarbage) {
  for (const char* s : {"", "2024", "2024-02-29 23:00:00Z", "2024-02-29T23:00:00",
                        "2024-13-01T00:00:00Z", "2024-02-29T23:00:00.Z", "2024-02-29T23:00:00Zjunk",
                        "2024-02-29T23:00:00+0200", "abcd-ef-ghTij:kl:mnZ"}) {
    EXPECT_EQ(ParseTime(s), std::nullopt) << s;
  }
}

}  // namespace
}  // namespace pulse::kube
