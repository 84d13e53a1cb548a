// The Secret values a rendered scrape config reads from files, gathered for the operator's
// generated credentials Secret (delivery.h BuildCredentialsSecret): for each ApiMonitor
// endpoint, its TLS ca/cert/key, basic-auth username/password and bearer token, keyed by
// render::CredentialFileName (the file name the config names under --credentials-dir).
// Exporter scrape jobs reference no Secret (an exporter's own credentials reach its pod as
// environment variables from the user's Secret), so they add nothing.
//
// Thread-safety: pure function.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pulse/model/api_monitor.h"
#include "pulse/model/secret.h"

namespace pulse::controller {

// `secrets` are the monitor's resolved Secrets (its namespace). A reference whose Secret or key
// is absent is left out (validation with require_secrets rejects such a monitor anyway).
std::map<std::string, std::string> ScrapeCredentials(const model::ApiMonitor& monitor,
                                                     const std::vector<model::Secret>& secrets);

}  // namespace pulse::controller
