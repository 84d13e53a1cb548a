// Strict standard base64 decoding (kubeconfig *-data fields). Private to pulse::kube.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pulse::kube::detail {

// Decodes standard base64 (with or without padding; whitespace ignored). nullopt when the input
// holds any other character or has an impossible length.
std::optional<std::string> DecodeBase64(std::string_view in);

}  // namespace pulse::kube::detail
