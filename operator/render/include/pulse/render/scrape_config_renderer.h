// prometheus.yml from ApiMonitors and Exporters: `global`, `rule_files`, `alerting` and one
// scrape job per ApiMonitor endpoint and per Exporter. The relabelling scheme is documented in
// docs/rendering.md; in short, every job discovers EndpointSlices (role endpointslice), keeps
// the Services that match the selector and the named port, and sets namespace, service, pod,
// endpoint, job and pulse_apimonitor / pulse_exporter before the user's own relabelings.
//
// Secrets are referenced by file path (RenderOptions::secrets_dir), never inlined. The output
// is accepted by `promtool check config` of Prometheus 2.45+ and 3.x built with Kubernetes
// discovery (see docs/rendering.md for why Debian's 2.42 package cannot check it).
//
// Thread-safety: pure function, safe to call concurrently.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "pulse/model/common_types.h"
#include "pulse/render/render_inputs.h"

namespace pulse::render {

// The whole prometheus.yml. Deterministic: objects are written sorted by (namespace, name)
// whatever their order in `inputs`.
std::string RenderPrometheusConfig(const RenderInputs& inputs);
// The same bytes, handed to `sink` in pieces of about 64 KiB as they are written: at 10,000
// monitors the config is 13 MB, and a reader that only hashes and compresses it (the operator)
// need not hold it whole.
void RenderPrometheusConfig(const RenderInputs& inputs,
                            const std::function<void(std::string_view)>& sink);

// The file (and generated Secret key) name of a referenced Secret key under
// RenderOptions::credentials_dir: "<namespace>_<secret>_<key>". Unambiguous because namespaces
// and Secret names cannot contain '_'; a valid Secret key name ([-._a-zA-Z0-9], at most 253
// characters). Longer combinations keep their first 236 characters plus "_" and 16 hex digits
// of a hash of the whole.
std::string CredentialFileName(std::string_view namespace_, const model::SecretKeySelector& ref);

}  // namespace pulse::render
