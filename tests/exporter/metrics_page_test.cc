// The cache between refresh threads and scrapes: last good values survive failures, self metrics
// say what happened, families of several targets merge under one header; the text format itself.
// Uses a scripted Target (the unit under test is the cache, not a server; real servers are in
// the integration tests).
#include "pulse/exporter/metrics_page.h"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <thread>

#include "pulse/exporter/exposition.h"
#include "pulse/exporter/target_runner.h"
#include "pulse/testing/eventually.h"

namespace pulse::exporter {
namespace {

class ScriptedTarget : public Target {
 public:
  explicit ScriptedTarget(std::deque<RefreshResult> script) : script_(std::move(script)) {}
  RefreshResult Refresh(std::stop_token) override {
    RefreshResult r = std::move(script_.front());
    script_.pop_front();
    return r;
  }

 private:
  std::deque<RefreshResult> script_;
};

RefreshResult Ok(double value) {
  RefreshResult r;
  r.ok = true;
  r.metrics.Add("pulse_test_value", "A value.", {{"k", "v"}}, value);
  return r;
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsPage, KeepsLastGoodValuesAndCountsErrors) {
  std::deque<RefreshResult> script;
  script.push_back(Ok(1));
  script.push_back(RefreshResult::Failure(reason::kTimeout, "slow"));
  script.push_back(RefreshResult::Failure(reason::kAuth, "denied"));
  script.push_back(Ok(2));
  TargetRunner runner("t1", TargetType::kPostgreSql, std::chrono::seconds(60),
                      std::make_unique<ScriptedTarget>(std::move(script)));
  auto now = std::chrono::system_clock::now();
  MetricsPage page({&runner}, "test", [&] { return now; });

  std::string text = page.Render();
  EXPECT_TRUE(Has(text, "pulse_exporter_target_up{target=\"t1\",type=\"postgresql\"} 0")) << text;
  EXPECT_EQ(text.find("pulse_exporter_data_age_seconds{"), std::string::npos) << "no data yet";
  EXPECT_EQ(text.find("pulse_test_value{"), std::string::npos);

  runner.RefreshNow();
  const auto success = runner.Snapshot().last_success;
  ASSERT_TRUE(success);
  now = *success + std::chrono::seconds(5);
  text = page.Render();
  EXPECT_TRUE(Has(text, "pulse_test_value{target=\"t1\",k=\"v\"} 1")) << text;
  EXPECT_TRUE(Has(text, "pulse_exporter_target_up{target=\"t1\",type=\"postgresql\"} 1"));
  EXPECT_TRUE(Has(text, "pulse_exporter_data_age_seconds{target=\"t1\",type=\"postgresql\"} 5"))
      << text;

  runner.RefreshNow();  // timeout
  runner.RefreshNow();  // auth
  now = *success + std::chrono::seconds(65);
  text = page.Render();
  EXPECT_TRUE(Has(text, "pulse_test_value{target=\"t1\",k=\"v\"} 1"))
      << "last good value must still be served";
  EXPECT_TRUE(Has(text, "pulse_exporter_target_up{target=\"t1\",type=\"postgresql\"} 0"));
  EXPECT_TRUE(Has(text, "pulse_exporter_data_age_seconds{target=\"t1\",type=\"postgresql\"} 65"));
  EXPECT_TRUE(Has(text,
                  "pulse_exporter_refresh_errors_total{target=\"t1\",type=\"postgresql\","
                  "reason=\"timeout\"} 1"));
  EXPECT_TRUE(Has(text,
                  "pulse_exporter_refresh_errors_total{target=\"t1\",type=\"postgresql\","
                  "reason=\"auth\"} 1"));
  EXPECT_TRUE(Has(text,
                  "pulse_exporter_refresh_errors_total{target=\"t1\",type=\"postgresql\","
                  "reason=\"connect\"} 0"));
  EXPECT_TRUE(Has(text, "pulse_exporter_refreshes_total{target=\"t1\",type=\"postgresql\"} 3"));
  EXPECT_TRUE(Has(text, "# TYPE pulse_exporter_refreshes_total counter"));
  EXPECT_TRUE(Has(text, "pulse_exporter_build_info{version=\"test\"} 1"));

  runner.RefreshNow();
  EXPECT_TRUE(Has(page.Render(), "pulse_test_value{target=\"t1\",k=\"v\"} 2"));
}

TEST(MetricsPage, MergesFamiliesAcrossTargetsUnderOneHeader) {
  std::deque<RefreshResult> a, b;
  a.push_back(Ok(1));
  b.push_back(Ok(2));
  TargetRunner ra("a", TargetType::kS3, std::chrono::seconds(60),
                  std::make_unique<ScriptedTarget>(std::move(a)));
  TargetRunner rb("b", TargetType::kS3, std::chrono::seconds(60),
                  std::make_unique<ScriptedTarget>(std::move(b)));
  ra.RefreshNow();
  rb.RefreshNow();
  const std::string text = MetricsPage({&ra, &rb}, "test").Render();
  const std::string expected =
      "# HELP pulse_test_value A value.\n# TYPE pulse_test_value gauge\n"
      "pulse_test_value{target=\"a\",k=\"v\"} 1\npulse_test_value{target=\"b\",k=\"v\"} 2\n";
  EXPECT_NE(text.find(expected), std::string::npos) << text;
  EXPECT_EQ(text.find("# TYPE pulse_test_value"), text.rfind("# TYPE pulse_test_value"));
}

TEST(MetricsPage, BackgroundThreadRefreshesAndStops) {
  std::deque<RefreshResult> script;
  for (int i = 0; i < 1000; ++i) script.push_back(Ok(i));
  TargetRunner runner("bg", TargetType::kRabbitMq, std::chrono::milliseconds(10),
                      std::make_unique<ScriptedTarget>(std::move(script)));
  runner.Start();
  MetricsPage page({&runner}, "test");
  EXPECT_TRUE(pulse::testing::Eventually(
      [&] {
        page.Render();  // scrapes race with refreshes (TSan/ASan builds check this)
        return runner.Snapshot().refreshes >= 3;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(10)));
  runner.Stop();
  const auto s = runner.Snapshot();
  EXPECT_GE(s.refreshes, 3u);
  EXPECT_TRUE(s.up);
}

class ThrowingTarget : public Target {
 public:
  RefreshResult Refresh(std::stop_token) override { throw std::runtime_error("boom"); }
};

TEST(MetricsPage, AThrowingTargetIsAnInternalErrorNotACrash) {
  TargetRunner runner("bad", TargetType::kS3, std::chrono::seconds(60),
                      std::make_unique<ThrowingTarget>());
  runner.RefreshNow();
  const auto s = runner.Snapshot();
  EXPECT_FALSE(s.up);
  EXPECT_EQ(s.errors.at("internal"), 1u);
  EXPECT_EQ(s.last_error, "unexpected error: boom");
}

TEST(Exposition, ValuesAndEscaping) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(123456789012), "123456789012");
  EXPECT_EQ(FormatValue(0.5), "0.5");
  EXPECT_EQ(FormatValue(1e300), "1.0000000000000001e+300");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatValue(-1.0 / 0.0), "-Inf");
  MetricSet m;
  m.Add("pulse_x", "Help with \\ and\nnewline.", {{"queue", "a\"b\\c\nd"}}, 1);
  m.Add("pulse_y", "No labels.", {}, 2, MetricKind::kCounter);
  const auto rendered = RenderFamilies(m, "");
  EXPECT_EQ(AssembleExposition({&rendered}),
            "# HELP pulse_x Help with \\\\ and\\nnewline.\n# TYPE pulse_x gauge\n"
            "pulse_x{queue=\"a\\\"b\\\\c\\nd\"} 1\n"
            "# HELP pulse_y No labels.\n# TYPE pulse_y counter\npulse_y 2\n");
  const auto with_target = RenderFamilies(m, "t\"1");
  EXPECT_EQ(with_target[1].samples, "pulse_y{target=\"t\\\"1\"} 2\n");
}

}  // namespace
}  // namespace pulse::exporter
