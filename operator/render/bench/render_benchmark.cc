// Cost of rendering N ApiMonitors (plus a fixed set of 3 Exporters): the whole output of
// `pulse-operator render` (prometheus.yml, rule files, dashboards) and each renderer alone.
// Run: build-*/operator/render/pulse_render_benchmark; results in
// docs/benchmarks.md.
//
// Counters: output_bytes (all files), files, rules (recording + alerting rules; rule files only:
// what Prometheus evaluates every interval), peak_rss_mb (the process's peak resident set so far,
// from getrusage; benchmarks run in ascending N, so it is the peak of the largest N rendered so
// far).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <string>
#include <string_view>
#include <vector>

#include "pulse/render/render.h"

namespace {

namespace model = pulse::model;
namespace render = pulse::render;

std::vector<model::ApiMonitor> MakeMonitors(int n) {
  std::vector<model::ApiMonitor> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    model::ApiMonitor m;
    m.metadata.namespace_ = "team-" + std::to_string(i % 50);
    m.metadata.name = "api-" + std::to_string(i);
    model::LabelSelector sel;
    sel.match_labels["app.kubernetes.io/name"] = m.metadata.name;
    sel.match_expressions.push_back({"tier", "In", {"backend", "api"}});
    m.spec.selector = sel;
    model::Endpoint ep;
    ep.port = "http";
    m.spec.endpoints.push_back(ep);
    m.spec.target_labels = {"team"};
    model::RedSlo slo;
    slo.availability_objective = 99.9;
    slo.latency_threshold = model::MakeDuration("250ms");
    slo.latency_objective = 99;
    m.spec.red.slo = slo;
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<model::Exporter> MakeExporters() {
  std::vector<model::Exporter> out(3);
  const model::ExporterType types[] = {model::ExporterType::kRabbitMq,
                                       model::ExporterType::kPostgreSql, model::ExporterType::kS3};
  for (int i = 0; i < 3; ++i) {
    out[i].metadata.namespace_ = "infra";
    out[i].metadata.name = "exp-" + std::to_string(i);
    out[i].spec.type = types[i];
  }
  return out;
}

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

struct Output {
  std::size_t bytes = 0;
  std::size_t files = 0;
  std::size_t rules = 0;
};

std::size_t Count(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

Output Total(const std::vector<render::RenderedFile>& files) {
  Output out;
  for (const auto& f : files) {
    out.bytes += f.content.size();
    ++out.files;
    if (f.path.rfind("rules/", 0) == 0) {
      out.rules += Count(f.content, "\n  - record: ") + Count(f.content, "\n  - alert: ");
    }
  }
  return out;
}
Output Total(const std::string& file) { return {file.size(), 1, 0}; }

template <typename Fn>
void Run(benchmark::State& state, Fn render) {
  const auto monitors = MakeMonitors(static_cast<int>(state.range(0)));
  const auto exporters = MakeExporters();
  render::RenderInputs inputs{monitors, exporters, {}};
  Output out;
  for (auto _ : state) {
    out = render(inputs);
    benchmark::ClobberMemory();
  }
  state.counters["monitors"] = static_cast<double>(state.range(0));
  state.counters["output_bytes"] = static_cast<double>(out.bytes);
  state.counters["files"] = static_cast<double>(out.files);
  state.counters["rules"] = static_cast<double>(out.rules);
  state.counters["peak_rss_mb"] = PeakRssMb();
}

void BM_RenderAll(benchmark::State& state) {
  Run(state, [](const render::RenderInputs& in) { return Total(render::RenderAll(in)); });
}
void BM_PrometheusConfig(benchmark::State& state) {
  Run(state,
      [](const render::RenderInputs& in) { return Total(render::RenderPrometheusConfig(in)); });
}
void BM_RuleFiles(benchmark::State& state) {
  Run(state, [](const render::RenderInputs& in) { return Total(render::RenderRuleFiles(in)); });
}
void BM_Dashboards(benchmark::State& state) {
  Run(state, [](const render::RenderInputs& in) { return Total(render::RenderDashboards(in)); });
}

#define PULSE_SIZES ->Arg(1)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)
BENCHMARK(BM_PrometheusConfig) PULSE_SIZES;
BENCHMARK(BM_RuleFiles) PULSE_SIZES;
BENCHMARK(BM_Dashboards) PULSE_SIZES;
BENCHMARK(BM_RenderAll) PULSE_SIZES;

}  // namespace
