// pulse-operator: the operator binary. Subcommands: render (offline, docs/rendering.md),
// version. `run` (the in-cluster controller) is added by the controller component.
#include <iostream>
#include <string>
#include <vector>

#include "render_command.h"

namespace {

constexpr const char* kVersion = "0.1.0";

void Usage(std::ostream& out) {
  out << "Usage: pulse-operator COMMAND [options]\n\n"
         "Commands:\n"
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
  std::cerr << "pulse-operator: unknown command \"" << command << "\"\n\n";
  Usage(std::cerr);
  return pulse::cli::kExitUsage;
}
