// Samples a target produces in one refresh, in a form of the exporter's own (no prometheus-cpp
// types), so target logic stays pure and testable. A MetricSet is a value; not thread-safe to
// mutate concurrently, safe to read from many threads once built.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace pulse::exporter {

enum class MetricKind { kGauge, kCounter };

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  LabelPairs labels;  // without the target label; the runner adds it
  double value = 0;
};

struct MetricFamilyData {
  std::string name;
  std::string help;
  MetricKind kind = MetricKind::kGauge;
  std::vector<Sample> samples;
};

class MetricSet {
 public:
  // Returns the family with `name`, creating it (with help and kind) on first use. The reference
  // stays valid while the set lives (families are never moved).
  MetricFamilyData& Family(const std::string& name, const std::string& help,
                           MetricKind kind = MetricKind::kGauge);
  void Add(const std::string& name, const std::string& help, LabelPairs labels, double value,
           MetricKind kind = MetricKind::kGauge) {
    Family(name, help, kind).samples.push_back({std::move(labels), value});
  }
  const std::deque<MetricFamilyData>& families() const { return families_; }
  std::deque<MetricFamilyData>& families() { return families_; }
  // Value of the first sample of `name` whose labels include all of `match`; nullptr if none.
  const Sample* Find(const std::string& name, const LabelPairs& match = {}) const;

 private:
  std::deque<MetricFamilyData> families_;  // deque: Family() references stay valid
};

}  // namespace pulse::exporter
