// `pulse-operator render`: read CR files, validate, render prometheus.yml, rule files and
// dashboards into an output directory (docs/rendering.md). The GitOps/CI entry point; needs no
// cluster.
//
// Thread-safety: not thread-safe (writes files, prints).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "pulse/model/alerts.h"

namespace pulse::cli {

// Exit codes of `render`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;  // invalid input or a write failure; OUTDIR untouched
inline constexpr int kExitPartial = 2;  // --keep-going: rendered the valid objects, some rejected
inline constexpr int kExitUsage = 64;   // bad command line (EX_USAGE)

// Runs the subcommand; `args` excludes "pulse-operator render". Messages go to out/err.
int RunRender(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Reads and validates an alert-defaults file (`--alert-defaults`, shared by render and run) into
// *out. Returns "" or the problem (one line per error, naming the file and field path); on
// success *note (when given) says which alert blocks it sets.
std::string ReadAlertDefaultsFile(const std::string& path, model::AlertDefaults* out,
                                  std::string* note = nullptr);

// The --help text of `render`.
std::string RenderUsage();

}  // namespace pulse::cli
