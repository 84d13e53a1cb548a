#include "pulse/exporter/metric_set.h"

#include <algorithm>

namespace pulse::exporter {

MetricFamilyData& MetricSet::Family(const std::string& name, const std::string& help,
                                    MetricKind kind) {
  for (auto& f : families_) {
    if (f.name == name) return f;
  }
  families_.push_back({name, help, kind, {}});
  return families_.back();
}

const Sample* MetricSet::Find(const std::string& name, const LabelPairs& match) const {
  for (const auto& f : families_) {
    if (f.name != name) continue;
    for (const auto& s : f.samples) {
      const bool all = std::all_of(match.begin(), match.end(), [&](const auto& m) {
        return std::find(s.labels.begin(), s.labels.end(), m) != s.labels.end();
      });
      if (all) return &s;
    }
  }
  return nullptr;
}

}  // namespace pulse::exporter
