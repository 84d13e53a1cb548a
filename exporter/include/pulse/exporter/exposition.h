// Prometheus text exposition (format 0.0.4) of the exporter's own samples. Target samples are
// rendered to text once per refresh (RenderFamilies), so a scrape only concatenates cached text
// (AssembleExposition) instead of copying and re-serializing thousands of samples. Pure; free
// functions are thread-safe.
#pragma once

#include <string>
#include <vector>

#include "pulse/exporter/metric_set.h"

namespace pulse::exporter {

struct RenderedFamily {
  std::string name;
  std::string help;
  MetricKind kind = MetricKind::kGauge;
  std::string samples;  // "name{labels} value\n" lines, no HELP/TYPE
};
using RenderedFamilies = std::vector<RenderedFamily>;

// Renders every family of `metrics`; when `target` is not empty, target="<target>" is added as
// the first label of every sample.
RenderedFamilies RenderFamilies(const MetricSet& metrics, const std::string& target);

// One exposition from several parts: families with the same name (from different targets) are
// merged under a single HELP/TYPE header, in first-seen order.
std::string AssembleExposition(const std::vector<const RenderedFamilies*>& parts);

// Value as Prometheus writes it: integers without a fraction, NaN, +Inf, -Inf, else %.17g.
std::string FormatValue(double value);
// Escapes \, " and newline in a label value.
std::string EscapeLabelValue(const std::string& value);
// Escapes \ and newline in HELP text.
std::string EscapeHelp(const std::string& help);

}  // namespace pulse::exporter
