// `pulse-operator render`: read CR files, validate, render prometheus.yml, rule files and
// dashboards into an output directory (docs/rendering.md). The GitOps/CI entry point; needs no
// cluster.
//
// Thread-safety: not thread-safe (writes files, prints).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace pulse::cli {

// Exit codes of `render`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;  // invalid input or a write failure; OUTDIR untouched
inline constexpr int kExitPartial = 2;  // --keep-going: rendered the valid objects, some rejected
inline constexpr int kExitUsage = 64;   // bad command line (EX_USAGE)

// Runs the subcommand; `args` excludes "pulse-operator render". Messages go to out/err.
int RunRender(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The --help text of `render`.
std::string RenderUsage();

}  // namespace pulse::cli
