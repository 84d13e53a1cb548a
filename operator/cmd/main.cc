// pulse-operator: the operator binary. Subcommands: render (offline, docs/rendering.md),
// run (the in-cluster operator, docs/operator.md), config-sync (the sidecar beside Prometheus,
// docs/config-delivery.md), version.
#include <iostream>
#include <string>
#include <vector>

#include "config_sync_command.h"
#include "pulse/base/version.h"
#include "render_command.h"
#include "run_command.h"

namespace {

constexpr const char* kVersion = pulse::base::kVersion;  // from CMake project()

void Usage(std::ostream& out) {
  out << "Usage: pulse-operator COMMAND [options]\n\n"
         "Commands:\n"
         "  run       run the operator against a cluster (leader-elected controllers)\n"
         "  config-sync  beside Prometheus: write the delivered config and rules, reload it\n"
         "  render    render prometheus.yml, rules and dashboards from CR files (no cluster)\n"
         "  version   print the version\n\n"
         "Run 'pulse-operator COMMAND --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    Usage(std::cerr);
    return pulse::cli::kExitUsage;
  }
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "-h" || command == "--help" || command == "help") {
    Usage(std::cout);
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::cout << "pulse-operator " << kVersion << '\n';
    return 0;
  }
  if (command == "render") return pulse::cli::RunRender(args, std::cout, std::cerr);
  if (command == "run") return pulse::cli::RunOperator(args, std::cout, std::cerr);
  if (command == "config-sync") return pulse::cli::RunConfigSync(args, std::cout, std::cerr);
  std::cerr << "pulse-operator: unknown command \"" << command << "\"\n\n";
  Usage(std::cerr);
  return pulse::cli::kExitUsage;
}
