// Test helpers: render a Collectable as Prometheus text and read single samples back from it.
#pragma once

#include <prometheus/collectable.h>

#include <optional>
#include <string>
#include <string_view>

namespace pulse::red::testing {

// The Prometheus text exposition of everything `c` collects (prometheus-cpp's serializer).
std::string Expose(const prometheus::Collectable& c);

// The value of the sample whose line starts with `series` followed by a space, e.g.
// Sample(text, "http_request_duration_seconds_count{method=\"GET\",route=\"/a\",status=\"200\"}").
// nullopt when no such line exists.
std::optional<double> Sample(std::string_view text, std::string_view series);

}  // namespace pulse::red::testing
