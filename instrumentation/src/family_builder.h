// Small helpers that build prometheus-cpp MetricFamily values for the custom Collectables.
#pragma once

#include <prometheus/metric_family.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "pulse/red/sharded_histogram.h"

namespace pulse::red::internal {

using LabelList = std::initializer_list<std::pair<std::string, std::string>>;

inline prometheus::MetricFamily Family(std::string name, std::string help,
                                       prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

inline void SetLabels(prometheus::ClientMetric& m, LabelList labels) {
  for (const auto& [k, v] : labels) m.label.push_back({k, v});
}

inline prometheus::ClientMetric CounterMetric(double value, LabelList labels) {
  prometheus::ClientMetric m;
  SetLabels(m, labels);
  m.counter.value = value;
  return m;
}

inline prometheus::ClientMetric GaugeMetric(double value, LabelList labels) {
  prometheus::ClientMetric m;
  SetLabels(m, labels);
  m.gauge.value = value;
  return m;
}

prometheus::ClientMetric HistogramMetric(const HistogramSnapshot& snap,
                                         const HistogramBuckets& buckets, LabelList labels);

}  // namespace pulse::red::internal
