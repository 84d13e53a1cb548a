// Zipf-distributed ranks for benchmarks, tests and the load generator: rank r in [0, n) is drawn
// with probability proportional to 1 / (r + 1)^s. Sampling is a binary search in a precomputed
// CDF. Not thread-safe (holds no state besides the CDF; give each thread its own engine).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace pulse::red::testing {

class Zipf {
 public:
  Zipf(std::size_t n, double s) : cdf_(n), probability_(n) {
    double total = 0;
    for (std::size_t r = 0; r < n; ++r) {
      probability_[r] = 1.0 / std::pow(static_cast<double>(r + 1), s);
      total += probability_[r];
    }
    double acc = 0;
    for (std::size_t r = 0; r < n; ++r) {
      probability_[r] /= total;
      acc += probability_[r];
      cdf_[r] = acc;
    }
    cdf_.back() = 1.0;
  }
  template <typename Engine>
  std::size_t operator()(Engine& engine) const {
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    return static_cast<std::size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }
  double probability(std::size_t rank) const { return probability_[rank]; }
  std::size_t size() const { return cdf_.size(); }

 private:
  std::vector<double> cdf_;
  std::vector<double> probability_;
};

}  // namespace pulse::red::testing
