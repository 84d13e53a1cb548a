// The `remote_write:` section of prometheus.yml from RenderOptions::remote_write (the operator's
// --remote-write-config file, pulse/model/remote_write.h). Credentials are referenced as files
// (basic_auth.*_file, authorization.credentials_file, tls_config.*_file) at the same places as
// the scrape credentials: <secrets_dir>/<ns>/<secret>/<key>, or under credentials_dir when set.
//
// Thread-safety: pure function.
#pragma once

#include "pulse/render/render_inputs.h"
#include "pulse/render/yaml_writer.h"

namespace pulse::render {

// Writes the `remote_write` key and its list into the open top-level map of `w`; writes nothing
// when options.remote_write is unset, so configs without it stay byte-identical.
void WriteRemoteWriteSection(YamlWriter& w, const RenderOptions& options);

}  // namespace pulse::render
