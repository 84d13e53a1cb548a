// Writing a set of rendered files into an output directory all at once: the files go into a
// fresh temporary directory beside the target, which then replaces the target by rename, so a
// reader (or a failed run) never sees a half-written directory.
//
// Thread-safety: not for concurrent use on the same output directory.
#pragma once

#include <string>
#include <vector>

#include "pulse/render/render_inputs.h"

namespace pulse::cli {

// Replaces `dir` with exactly `files` (paths relative to dir, "/"-separated, no ".." parts).
// An existing `dir` is replaced only if it is empty or holds nothing but a previous render's
// entries (prometheus.yml, rules/, dashboards/), so a mistyped -o never deletes other data.
// On failure returns false with a message in *error, and `dir` is unchanged.
bool ReplaceDirectory(const std::string& dir, const std::vector<render::RenderedFile>& files,
                      std::string* error);

}  // namespace pulse::cli
