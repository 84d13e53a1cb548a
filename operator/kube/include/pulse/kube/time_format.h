// Kubernetes timestamps: metav1.MicroTime ("2026-01-02T03:04:05.123456Z", Lease and Event
// times) and metav1.Time ("2026-01-02T03:04:05Z"). Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pulse::kube {

std::string FormatMicroTime(std::chrono::system_clock::time_point t);
// Accepts RFC 3339 with optional fraction and a Z or ±hh:mm offset; nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> ParseTime(std::string_view s);

}  // namespace pulse::kube
