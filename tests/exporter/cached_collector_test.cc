// The cache between refresh threads and scrapes: last good values survive failures, self metrics
// say what happened, families of several targets merge. Uses a scripted Target (the unit under
// test is the cache, not a server; real servers are in the integration tests).
#include "pulse/exporter/cached_collector.h"

#include <gtest/gtest.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <deque>

#include "pulse/exporter/target_runner.h"

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

std::string Text(const CachedCollector& c) {
  return prometheus::TextSerializer().Serialize(c.Collect());
}

TEST(CachedCollector, KeepsLastGoodValuesAndCountsErrors) {
  std::deque<RefreshResult> script;
  script.push_back(Ok(1));
  script.push_back(RefreshResult::Failure(reason::kTimeout, "slow"));
  script.push_back(RefreshResult::Failure(reason::kAuth, "denied"));
  script.push_back(Ok(2));
  TargetRunner runner("t1", TargetType::kPostgreSql, std::chrono::seconds(60),
                      std::make_unique<ScriptedTarget>(std::move(script)));
  auto now = std::chrono::system_clock::now();
  CachedCollector collector({&runner}, "test", [&] { return now; });

  std::string text = Text(collector);
  EXPECT_NE(text.find("pulse_exporter_target_up{target=\"t1\",type=\"postgresql\"} 0"),
            std::string::npos);
  EXPECT_EQ(text.find("pulse_exporter_data_age_seconds{"), std::string::npos) << "no data yet";
  EXPECT_EQ(text.find("pulse_test_value{"), std::string::npos);

  runner.RefreshNow();
  const auto success = runner.Snapshot().last_success;
  ASSERT_TRUE(success);
  now = *success + std::chrono::seconds(5);
  text = Text(collector);
  EXPECT_NE(text.find("pulse_test_value{target=\"t1\",k=\"v\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("pulse_exporter_target_up{target=\"t1\",type=\"postgresql\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("pulse_exporter_data_age_seconds{target=\"t1\",type=\"postgresql\"} 5"),
            std::string::npos)
      << text;

  runner.RefreshNow();  // timeout
  runner.RefreshNow();  // auth
  now = *success + std::chrono::seconds(65);
  text = Text(collector);
  EXPECT_NE(text.find("pulse_test_value{target=\"t1\",k=\"v\"} 1"), std::string::npos)
      << "last good value must still be served";
  EXPECT_NE(text.find("pulse_exporter_target_up{target=\"t1\",type=\"postgresql\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("pulse_exporter_data_age_seconds{target=\"t1\",type=\"postgresql\"} 65"),
            std::string::npos);
  EXPECT_NE(text.find("pulse_exporter_refresh_errors_total{target=\"t1\",type=\"postgresql\","
                      "reason=\"timeout\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("pulse_exporter_refresh_errors_total{target=\"t1\",type=\"postgresql\","
                      "reason=\"auth\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("pulse_exporter_refresh_errors_total{target=\"t1\",type=\"postgresql\","
                      "reason=\"connect\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("pulse_exporter_refreshes_total{target=\"t1\",type=\"postgresql\"} 3"),
            std::string::npos);

  runner.RefreshNow();
  EXPECT_NE(Text(collector).find("pulse_test_value{target=\"t1\",k=\"v\"} 2"), std::string::npos);
}

TEST(CachedCollector, MergesFamiliesAcrossTargets) {
  std::deque<RefreshResult> a, b;
  a.push_back(Ok(1));
  b.push_back(Ok(2));
  TargetRunner ra("a", TargetType::kS3, std::chrono::seconds(60),
                  std::make_unique<ScriptedTarget>(std::move(a)));
  TargetRunner rb("b", TargetType::kS3, std::chrono::seconds(60),
                  std::make_unique<ScriptedTarget>(std::move(b)));
  ra.RefreshNow();
  rb.RefreshNow();
  CachedCollector collector({&ra, &rb}, "test");
  const auto families = collector.Collect();
  int found = 0;
  for (const auto& f : families) {
    if (f.name == "pulse_test_value") {
      ++found;
      EXPECT_EQ(f.metric.size(), 2u);
    }
  }
  EXPECT_EQ(found, 1);
}

TEST(CachedCollector, BackgroundThreadRefreshesAndStops) {
  std::deque<RefreshResult> script;
  for (int i = 0; i < 1000; ++i) script.push_back(Ok(i));
  TargetRunner runner("bg", TargetType::kRabbitMq, std::chrono::milliseconds(10),
                      std::make_unique<ScriptedTarget>(std::move(script)));
  runner.Start();
  for (int i = 0; i < 500 && runner.Snapshot().refreshes < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  runner.Stop();
  const auto s = runner.Snapshot();
  EXPECT_GE(s.refreshes, 3u);
  EXPECT_TRUE(s.up);
}

TEST(CachedCollector, HealthIsAlwaysOne) {
  const auto text = prometheus::TextSerializer().Serialize(HealthCollectable().Collect());
  EXPECT_NE(text.find("pulse_exporter_healthy 1"), std::string::npos);
}

}  // namespace
}  // namespace pulse::exporter
