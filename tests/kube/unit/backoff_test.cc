#include "pulse/kube/backoff.h"

#include <gtest/gtest.h>

namespace pulse::kube {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, GrowsExponentiallyWithinJitterAndCaps) {
  Backoff b({milliseconds(100), milliseconds(1000), 2.0, 0.2}, 42);
  const double expected[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (double e : expected) {
    const auto d = b.Next().count();
    EXPECT_GE(d, static_cast<long long>(e * 0.8) - 1);
    EXPECT_LE(d, std::min<long long>(1000, static_cast<long long>(e * 1.2) + 1));
  }
  EXPECT_EQ(b.attempts(), 7);
  b.Reset();
  EXPECT_EQ(b.attempts(), 0);
  EXPECT_LE(b.Next().count(), 120);
}

TEST(Backoff, JitterSpreadsClients) {
  // Two clients that failed together should not retry at the same instant.
  Backoff a({milliseconds(1000), milliseconds(60000), 2.0, 0.2}, 1);
  Backoff b({milliseconds(1000), milliseconds(60000), 2.0, 0.2}, 2);
  int same = 0;
  for (int i = 0; i < 5; ++i) same += a.Next() == b.Next();
  EXPECT_LT(same, 5);
}

TEST(Backoff, NoJitterIsExact) {
  Backoff b({milliseconds(10), milliseconds(35), 3.0, 0.0}, 0);
  EXPECT_EQ(b.Next(), milliseconds(10));
  EXPECT_EQ(b.Next(), milliseconds(30));
  EXPECT_EQ(b.Next(), milliseconds(35));
}

TEST(Backoff, NonsenseOptionsAreClamped) {
  Backoff b({milliseconds(10), milliseconds(100), 0.1, 5.0}, 3);  // factor < 1, jitter > 1
  for (int i = 0; i < 20; ++i) {
    const auto d = b.Next();
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d.count(), 100);
  }
}

}  // namespace
}  // namespace pulse::kube
