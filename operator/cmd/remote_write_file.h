// `--remote-write-config FILE`, shared by `render` and `run`: reads and validates the operator's
// remote-write file (pulse/model/remote_write.h, docs/remote-write.md).
//
// Thread-safety: reads a file; otherwise pure.
#pragma once

#include <string>

#include "pulse/model/remote_write.h"

namespace pulse::cli {

// Reads `path` into *out. Returns "" or the problem (one line per error, naming the file and
// the field path); on success *note (when given) says where the samples go.
std::string ReadRemoteWriteFile(const std::string& path, model::RemoteWrite* out,
                                std::string* note = nullptr);

}  // namespace pulse::cli
