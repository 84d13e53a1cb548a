// Cost of reading and checking many ApiMonitors: YAML parsing, JSON parsing (what the operator
// receives from the API server), and validation, for 1 / 100 / 1,000 / 10,000 objects.
#include <benchmark/benchmark.h>

#include <string>

#include "pulse/model/parse.h"
#include "pulse/model/validate.h"

namespace {

std::string MonitorYaml(int i) {
  const std::string name = "api-" + std::to_string(i);
  return "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: " + name +
         ", namespace: team-" + std::to_string(i % 50) +
         "}\nspec:\n  selector: {matchLabels: {app.kubernetes.io/name: " + name +
         "}}\n  endpoints:\n    - port: http\n      interval: 15s\n      scrapeTimeout: 10s\n"
         "      metricRelabelings: [{sourceLabels: [__name__], regex: 'go_.*', action: drop}]\n"
         "  red:\n    slo: {availabilityObjective: 99.9, latencyThreshold: 300ms, "
         "latencyObjective: 99}\n";
}

std::string MonitorJson(int i) {
  const std::string name = "api-" + std::to_string(i);
  return R"({"apiVersion":"monitoring.pulse.dev/v1alpha1","kind":"ApiMonitor","metadata":{"name":")" +
         name + R"(","namespace":"team-)" + std::to_string(i % 50) +
         R"(","uid":"0c0ffee0-1111-2222-3333-444455556666","generation":3,"resourceVersion":"12345"},)"
         R"("spec":{"selector":{"matchLabels":{"app.kubernetes.io/name":")" +
         name +
         R"("}},"endpoints":[{"port":"http","path":"/metrics","scheme":"http","interval":"15s","scrapeTimeout":"10s",)"
         R"("honorLabels":false,"metricRelabelings":[{"sourceLabels":["__name__"],"regex":"go_.*","action":"drop"}]}],)"
         R"("red":{"histogramMetric":"http_request_duration_seconds","methodLabel":"method","routeLabel":"route",)"
         R"("statusLabel":"status","slo":{"availabilityObjective":99.9,"latencyThreshold":"300ms","latencyObjective":99,"window":"30d"}}}})";
}

std::string ManyYaml(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += (i ? "---\n" : "") + MonitorYaml(i);
  return text;
}

void BM_ParseYaml(benchmark::State& state) {
  const std::string text = ManyYaml(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    pulse::model::ParseResult r = pulse::model::ParseYaml(text, "bench.yaml");
    if (r.objects.api_monitors.size() != static_cast<std::size_t>(state.range(0)))
      state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseYaml)->Arg(1)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_ParseJsonObjects(benchmark::State& state) {
  std::vector<std::string> objects;
  for (int i = 0; i < state.range(0); ++i) objects.push_back(MonitorJson(i));
  for (auto _ : state) {
    std::size_t parsed = 0;
    for (const std::string& o : objects)
      parsed += pulse::model::ParseJson(o).objects.api_monitors.size();
    if (parsed != objects.size()) state.SkipWithError("parse failed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ParseJsonObjects)
    ->Arg(1)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

void BM_Validate(benchmark::State& state) {
  const pulse::model::ParseResult parsed =
      pulse::model::ParseYaml(ManyYaml(static_cast<int>(state.range(0))), "b.yaml");
  for (auto _ : state) {
    pulse::model::ValidationResult v = pulse::model::Validate(parsed.objects);
    if (!v.ok()) state.SkipWithError("validation failed");
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Validate)->Arg(1)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
