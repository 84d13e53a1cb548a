// Standard base64 (RFC 4648 section 4): Kubernetes Secret data, kubeconfig *-data fields, HTTP
// Basic authentication. One implementation for all of pulse; pulse::http re-exports it.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pulse::base {

// With padding.
std::string Base64Encode(std::string_view bytes);

// Decodes standard base64, with or without padding; ASCII whitespace is ignored (PEM and YAML
// wrap long values). nullopt for any other character, data after padding, or an impossible
// length.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace pulse::base
