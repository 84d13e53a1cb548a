// Durable, atomic replacement of small files, for the config sync that writes prometheus.yml and
// rule files beside Prometheus. A reader (Prometheus on /-/reload) must see either the old or
// the new content, never a truncated file, and a crash or power loss right after a successful
// write must not bring back the old content or leave an empty file:
//   write to a temp file in the same directory (same file system, so rename is atomic)
//   -> fsync the temp file -> rename over the target -> fsync the directory (makes the rename
//   itself durable).
// On any failure the temp file is removed and the target is untouched.
//
// Thread-safety: the functions are thread-safe as such, but two writers of the same path race
// (the last rename wins); the config sync writes from one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pulse/base/status.h"

namespace pulse::controller {

// Replaces `path` with `content` atomically and durably (see above). The file gets `mode`
// (0644 by default; 0600 for credentials).
// Errors: kNotFound when the directory does not exist, kPermissionDenied, else kInternal; the
// message names the path and the failing step.
base::Status WriteFileAtomically(const std::string& path, std::string_view content,
                                 unsigned mode = 0644);

// WriteFileAtomically only when the file's current bytes or mode differ (or it does not exist),
// so an unchanged file keeps its mtime and inode. Returns whether it wrote.
base::StatusOr<bool> WriteFileIfChanged(const std::string& path, std::string_view content,
                                        unsigned mode = 0644);

// Removes `path` (absent is fine) and fsyncs its directory.
base::Status RemoveFileDurably(const std::string& path);

// Names of the regular files directly in `dir` (sorted; temp files of an interrupted write,
// which start with ".pulse-tmp-", excluded).
base::StatusOr<std::vector<std::string>> ListRegularFiles(const std::string& dir);

// The prefix of the temp files WriteFileAtomically creates (hidden, so a glob such as
// rules/*.yaml never picks one up).
inline constexpr const char* kTempFilePrefix = ".pulse-tmp-";

}  // namespace pulse::controller
