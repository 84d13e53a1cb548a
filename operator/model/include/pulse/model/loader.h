// Reading custom resources from files and directories for `pulse-operator render` and tests.
// This is the model's only I/O and lives in its own file (loader.cc).
//
// Thread-safety: stateless; safe to call concurrently.
#pragma once

#include <string>
#include <vector>

#include "pulse/model/objects.h"

namespace pulse::model {

// Reads every path: a file is parsed as YAML (".json" files as JSON, though YAML parses JSON
// too); a directory is walked recursively for *.yaml, *.yml and *.json (other files ignored).
// Files are read in sorted path order so the result does not depend on the file system. A path
// that does not exist or cannot be read is a kIo error; parsing then carries on with the rest.
ParseResult LoadPaths(const std::vector<std::string>& paths);

}  // namespace pulse::model
