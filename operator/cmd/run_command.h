// `pulse-operator run`: the in-cluster operator (docs/operator.md). Watches ApiMonitors and
// Exporters, delivers the Prometheus config, rules and dashboards into the output namespace and
// runs an exporter Deployment per Exporter; leader election gates the controllers; /metrics,
// /healthz and /readyz are served; SIGTERM/SIGINT stop it cleanly (the Lease is released).
//
// Thread-safety: call once from main(), before any other thread starts (it blocks SIGTERM and
// SIGINT for the whole process to wait for them).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace pulse::cli {

// Runs the subcommand; `args` excludes "pulse-operator run". Exit codes: 0 after a stop signal,
// 1 on a start-up failure or lost leadership, 64 (EX_USAGE) on a bad command line.
int RunOperator(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The --help text of `run`.
std::string RunUsage();

}  // namespace pulse::cli
