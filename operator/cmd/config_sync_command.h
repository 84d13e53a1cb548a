// `pulse-operator config-sync`: the sidecar beside Prometheus (docs/config-delivery.md). Watches
// the config Secret(s) and the rule ConfigMaps through the API, writes prometheus.yml and the
// rule files atomically, POSTs /-/reload and confirms Prometheus loaded them; serves its own
// /metrics, /healthz and /readyz; SIGTERM/SIGINT stop it.
//
// Thread-safety: call once from main(), before any other thread starts (it blocks SIGTERM and
// SIGINT for the whole process to wait for them).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace pulse::cli {

// Runs the subcommand; `args` excludes "pulse-operator config-sync". Exit codes: 0 after a stop
// signal, 1 on a start-up failure, 64 (EX_USAGE) on a bad command line.
int RunConfigSync(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The --help text of `config-sync`.
std::string ConfigSyncUsage();

}  // namespace pulse::cli
