// Helpers shared by the renderers (private to pulse_render): canonical object order,
// PromQL selector building, number and path formatting, the YAML of relabel rules and TLS
// settings that scrape jobs and remote write share.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pulse/model/api_monitor.h"
#include "pulse/model/common_types.h"
#include "pulse/model/duration.h"
#include "pulse/model/exporter.h"
#include "pulse/render/render_inputs.h"
#include "pulse/render/yaml_writer.h"

namespace pulse::render::detail {

// Objects sorted by (namespace, name): the order every renderer writes them in, so the output
// does not depend on the order the objects were read or listed in.
// Both the spans and the refs of the inputs (render_inputs.h).
std::vector<const model::ApiMonitor*> SortedApiMonitors(const RenderInputs& inputs);
std::vector<const model::Exporter*> SortedExporters(const RenderInputs& inputs);

// "<namespace>/<name>", the value of the pulse_apimonitor / pulse_exporter labels.
std::string ObjectKey(const model::ObjectMeta& meta);

// "<prefix>_<namespace>_<name>" for file names (rules/, dashboards/): each part path-safe and
// '_' escaped too, so different objects never share a file.
std::string FileStem(std::string_view prefix, const model::ObjectMeta& meta);

// <secrets_dir>/<namespace>/<secret>/<key>, each component made path-safe.
std::string SecretFilePath(const RenderOptions& options, std::string_view namespace_,
                           const model::SecretKeySelector& ref);

// A duration as the user wrote it (every side speaks Prometheus' grammar), canonical when it
// was built in code.
std::string DurationText(const model::Duration& d);

// Seconds as the shortest decimal text, e.g. 250ms -> "0.25", 1s -> "1".
std::string FormatSeconds(std::chrono::milliseconds value);
// A double as the shortest decimal text that reads back the same ("0.001", "14.4").
std::string FormatNumber(double value);

// A regex for the `le` label of a histogram bucket with this bound that matches both spellings
// clients and Prometheus versions use: "1" and "1.0" (Prometheus 3 normalises to the latter).
std::string LeRegex(std::chrono::milliseconds bound);

// FNV-1a 64 of the text: stable names (dashboard uids, mapping names) from identities.
std::uint64_t Fnv1a64(std::string_view text);
// The first `digits` hex digits (most significant first) of a hash.
std::string HexPrefix(std::uint64_t hash, int digits);

// One PromQL label matcher; `op` is "=", "!=", "=~" or "!~". The value is quoted here.
struct Matcher {
  std::string label;
  std::string op;
  std::string value;
};
// metric{label="value",...}, values quoted as PromQL strings.
std::string Selector(std::string_view metric, const std::vector<Matcher>& matchers);

// A user's relabel rule (relabelings, metricRelabelings, writeRelabelConfigs) as one item of
// an open sequence: only the fields the user set, plus what the action needs.
void WriteUserRelabel(YamlWriter& w, const model::RelabelConfig& r);

// `tls_config:` with the Secret keys as files (SecretFilePath in namespace `ns`).
void WriteTls(YamlWriter& w, const model::TlsConfig& tls, std::string_view ns,
              const RenderOptions& options);

}  // namespace pulse::render::detail
