// Same objects -> same bytes, whatever order they arrive in (the operator lists them from the
// API server in no particular order, and writes ConfigMaps only when the bytes change).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "golden_cases.h"
#include "pulse/render/render.h"

namespace pulse::render {
namespace {

model::Objects AllCaseObjects() {
  model::Objects all;
  std::vector<std::string> errors;
  for (const auto& c : testing::GoldenCases()) {
    if (c.name == "external") continue;  // same objects as "examples"
    model::Objects o = testing::LoadCase(c, &errors);
    for (auto& m : o.api_monitors) all.api_monitors.push_back(std::move(m));
    for (auto& e : o.exporters) all.exporters.push_back(std::move(e));
  }
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  return all;
}

// Many synthetic monitors in a few namespaces, so sorting has real work to do; with a mix of
// mappings, SLO objectives, windows and thresholds, per-monitor dashboards and alerts off, so the
// shared rule files (which collect these across monitors) are exercised too.
void AddSynthetic(model::Objects& objects, int n) {
  for (int i = 0; i < n; ++i) {
    model::ApiMonitor m;
    m.metadata.namespace_ = "ns-" + std::to_string(i % 7);
    m.metadata.name = "api-" + std::to_string(i * 7919 % 1000);
    model::LabelSelector sel;
    sel.match_labels["app"] = m.metadata.name;
    m.spec.selector = sel;
    model::Endpoint ep;
    ep.port = "http";
    m.spec.endpoints.push_back(ep);
    if (i % 3 == 0) {
      model::RedSlo slo;
      slo.availability_objective = 99.0 + (i % 9) / 10.0;
      slo.window = model::MakeDuration(i % 2 == 0 ? "30d" : "7d");
      if (i % 4 == 0) {
        slo.latency_threshold = model::MakeDuration(i % 8 == 0 ? "250ms" : "1s");
        slo.latency_objective = 99;
      }
      m.spec.red.slo = slo;
    }
    if (i % 5 == 0) m.spec.red.histogram_metric = "http_server_request_duration_seconds";
    if (i % 10 == 0) m.spec.red.method_label = "http_request_method";
    m.spec.dashboard.per_monitor = i % 7 == 0;
    m.spec.red.alerts = i % 11 != 0;
    objects.api_monitors.push_back(std::move(m));
  }
}

RenderOptions Options() {
  RenderOptions o;
  o.alertmanagers = {"b:9093", "a:9093"};
  return o;
}

TEST(Determinism, ShuffledInputRendersIdenticalBytes) {
  model::Objects objects = AllCaseObjects();
  AddSynthetic(objects, 300);
  const std::vector<RenderedFile> reference =
      RenderAll({objects.api_monitors, objects.exporters, Options()});
  // Shared RED/SLO/alert files, ~150 per-monitor rule files and ~45 dashboards.
  ASSERT_GT(reference.size(), 150u);
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    std::shuffle(objects.api_monitors.begin(), objects.api_monitors.end(), rng);
    std::shuffle(objects.exporters.begin(), objects.exporters.end(), rng);
    RenderOptions options = Options();
    std::shuffle(options.alertmanagers.begin(), options.alertmanagers.end(), rng);
    const auto again = RenderAll({objects.api_monitors, objects.exporters, options});
    ASSERT_EQ(reference.size(), again.size()) << "seed " << seed;
    for (std::size_t i = 0; i < reference.size(); ++i) {
      ASSERT_EQ(reference[i].path, again[i].path) << "seed " << seed;
      ASSERT_EQ(reference[i].content, again[i].content)
          << "seed " << seed << ": " << reference[i].path << " changed with input order";
    }
  }
}

TEST(Determinism, SelectorRequirementOrderDoesNotMatter) {
  model::ApiMonitor a;
  a.metadata.name = "x";
  model::LabelSelector sel;
  sel.match_expressions = {
      {"b", "In", {"2", "1"}}, {"a", "Exists", {}}, {"c", "NotIn", {"z", "y"}}};
  a.spec.selector = sel;
  model::Endpoint ep;
  ep.port = "http";
  a.spec.endpoints.push_back(ep);
  model::ApiMonitor b = a;
  std::reverse(b.spec.selector->match_expressions.begin(),
               b.spec.selector->match_expressions.end());
  for (auto& r : b.spec.selector->match_expressions) std::reverse(r.values.begin(), r.values.end());
  const std::vector<model::ApiMonitor> va{a}, vb{b};
  EXPECT_EQ(RenderPrometheusConfig({va, {}, {}}), RenderPrometheusConfig({vb, {}, {}}));
}

}  // namespace
}  // namespace pulse::render
