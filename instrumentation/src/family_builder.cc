#include "family_builder.h"

#include <limits>

namespace pulse::red::internal {

prometheus::ClientMetric HistogramMetric(const HistogramSnapshot& snap,
                                         const HistogramBuckets& buckets, LabelList labels) {
  prometheus::ClientMetric m;
  SetLabels(m, labels);
  m.histogram.sample_count = snap.count;
  m.histogram.sample_sum = snap.sum_seconds;
  const auto& bounds = buckets.upper_bounds();
  m.histogram.bucket.reserve(bounds.size() + 1);
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    m.histogram.bucket.push_back({snap.cumulative_counts[i], bounds[i]});
  }
  m.histogram.bucket.push_back(
      {snap.cumulative_counts.back(), std::numeric_limits<double>::infinity()});
  return m;
}

}  // namespace pulse::red::internal
