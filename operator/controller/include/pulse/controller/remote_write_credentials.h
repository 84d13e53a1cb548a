// The Secret values the remote_write section of the rendered config reads from files (basic
// auth, bearer token, TLS; docs/remote-write.md), for `run`: they are copied into the generated
// credentials Secret beside the scrape credentials, under render::CredentialFileName of the
// remote write's secretNamespace and the reference, which is the file name the rendered config
// names under --credentials-dir. The config sync writes them as 0600 files, as it does the
// scrape credentials. The Secrets are read by name (never listed), and run watches exactly
// those names (secret_watches.h), so a changed password is delivered without a restart.
//
// Thread-safety: thread-compatible; `reader` is called from the calling thread only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pulse/controller/object_writer.h"
#include "pulse/model/remote_write.h"

namespace pulse::controller {

struct RemoteWriteCredentialFiles {
  std::map<std::string, std::string> files;  // credential file name -> value
  // "namespace/secret key" of every reference whose Secret or key does not exist (sorted). The
  // config still names their files: Prometheus loads it, and its remote write fails (visibly,
  // prometheus_remote_storage_*) until the Secret appears, while scraping goes on.
  std::vector<std::string> missing;
};

// The distinct names of the Secrets `remote_write` references (in its secret_namespace), sorted.
std::vector<std::string> RemoteWriteSecretNames(const model::RemoteWrite& remote_write);

// Reads each referenced Secret once through `reader` (GET by name). A kube::ApiError other than
// "not found" propagates (the caller retries).
RemoteWriteCredentialFiles ReadRemoteWriteCredentials(const model::RemoteWrite& remote_write,
                                                      ObjectWriter& reader);

}  // namespace pulse::controller
