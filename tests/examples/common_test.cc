#include <gtest/gtest.h>

#include "pulse/demo/fault_injection.h"
#include "pulse/demo/flags.h"
#include "pulse/demo/route_matcher.h"

namespace pulse::demo {
namespace {

TEST(RouteMatcher, MatchesTemplatesAndExtractsParameters) {
  RouteMatcher m({"/", "/orders", "/orders/{id}", "/orders/open", "/cart/{user}/items"});
  EXPECT_EQ(m.Match("/")->route, 0u);
  EXPECT_EQ(m.Match("/orders")->route, 1u);
  const auto order = m.Match("/orders/42");
  ASSERT_TRUE(order);
  EXPECT_EQ(order->route, 2u);
  EXPECT_EQ(order->params.at("id"), "42");
  EXPECT_EQ(m.Match("/orders/open")->route, 3u);  // literal beats parameter
  EXPECT_EQ(m.Match("/cart/alice/items")->params.at("user"), "alice");
  EXPECT_FALSE(m.Match("/orders/"));          // empty parameter
  EXPECT_FALSE(m.Match("/orders/42/extra"));  // too many segments
  EXPECT_FALSE(m.Match("//orders"));
  EXPECT_FALSE(m.Match("orders"));
  EXPECT_FALSE(m.Match(""));
  EXPECT_FALSE(m.Match("/" + std::string(100000, 'a')));
}

TEST(RouteMatcher, RejectsMalformedTemplatesNamingThem) {
  for (const char* bad : {"orders", "", "/orders/{", "/orders/{}", "/orders/x{id}", "/a/{b}}"}) {
    try {
      RouteMatcher m({bad});
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(Flags, ParsesValuesSwitchesAndRejectsTheRest) {
  const char* argv[] = {"prog", "--listen", "127.0.0.1:0", "--error-rate=0.25", "--fast"};
  Flags f(5, argv, {"listen", "error-rate", "top-k"}, {"fast"});
  EXPECT_EQ(f.Get("listen"), "127.0.0.1:0");
  EXPECT_DOUBLE_EQ(f.GetDouble("error-rate", 0), 0.25);
  EXPECT_EQ(f.GetInt("top-k", 100), 100);
  EXPECT_TRUE(f.Has("fast"));
  const char* unknown[] = {"prog", "--nope", "1"};
  EXPECT_THROW(Flags(3, unknown, {"listen"}), std::invalid_argument);
  const char* missing[] = {"prog", "--listen"};
  EXPECT_THROW(Flags(2, missing, {"listen"}), std::invalid_argument);
  const char* bad_number[] = {"prog", "--top-k", "12abc"};
  Flags g(3, bad_number, {"top-k"});
  EXPECT_THROW(g.GetInt("top-k", 0), std::invalid_argument);
  const char* positional[] = {"prog", "extra"};
  EXPECT_THROW(Flags(2, positional, {}), std::invalid_argument);
}

TEST(ParseHttpUrl, AcceptsRootHttpUrlsOnly) {
  EXPECT_EQ(ParseHttpUrl("http://127.0.0.1:15672/").second, 15672);
  EXPECT_THROW(ParseHttpUrl("https://x:1"), std::invalid_argument);
  EXPECT_THROW(ParseHttpUrl("http://x:1/api"), std::invalid_argument);
  EXPECT_THROW(ParseHttpUrl("http://x"), std::invalid_argument);
}

TEST(ParseHostPort, AcceptsHostPortOnly) {
  EXPECT_EQ(ParseHostPort("127.0.0.1:6379"), (std::pair<std::string, int>{"127.0.0.1", 6379}));
  for (const char* bad : {"localhost", ":80", "host:", "host:0", "host:65536", "host:8x"}) {
    EXPECT_THROW(ParseHostPort(bad), std::invalid_argument) << bad;
  }
}

TEST(FaultInjector, ValidatesSettingsAndHonoursTheExtremes) {
  FaultSettings s;
  s.error_rate = 1.5;
  EXPECT_THROW(FaultInjector{s}, std::invalid_argument);
  s.error_rate = -0.1;
  EXPECT_THROW(FaultInjector{s}, std::invalid_argument);
  s.error_rate = 1.0;
  s.latency = std::chrono::milliseconds(5);
  FaultInjector always(s);
  for (int i = 0; i < 100; ++i) {
    const auto d = always.Decide();
    EXPECT_TRUE(d.fail);
    EXPECT_EQ(d.delay, std::chrono::milliseconds(5));
  }
  s.error_rate = 0.0;
  s.jitter = std::chrono::milliseconds(3);
  FaultInjector never(s);
  for (int i = 0; i < 100; ++i) {
    const auto d = never.Decide();
    EXPECT_FALSE(d.fail);
    EXPECT_GE(d.delay.count(), 5);
    EXPECT_LE(d.delay.count(), 8);
  }
  s.error_rate = 0.3;
  FaultInjector some(s);
  int failed = 0;
  for (int i = 0; i < 10000; ++i) failed += some.Decide().fail;
  EXPECT_NEAR(failed, 3000, 300);
}

}  // namespace
}  // namespace pulse::demo
