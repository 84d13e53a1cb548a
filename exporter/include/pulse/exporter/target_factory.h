// Creates the Target for one configured target (the only place that knows every target type).
#pragma once

#include <memory>
#include <optional>

#include "pulse/exporter/config.h"
#include "pulse/exporter/target.h"
#include "pulse/http/client.h"

namespace pulse::exporter {

// A target whose config has a `tls:` block gets its own client built with TlsOptionsFor(config)
// (TLS files are read once, when the target is made); if that client cannot be made (unreadable
// or non-PEM file) the target fails every refresh with reason "credentials" and the message,
// so the other targets keep being served. Other targets share `http`.
std::unique_ptr<Target> MakeTarget(const TargetConfig& config, std::shared_ptr<http::Client> http);

// The target's `tls:` block as pulse::http TLS options; nullopt when it has none.
std::optional<http::TlsOptions> TlsOptionsFor(const TargetConfig& config);

}  // namespace pulse::exporter
