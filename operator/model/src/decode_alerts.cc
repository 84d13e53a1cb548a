// Reading alert blocks: `spec.alerts` of both kinds and the cluster-wide alert-defaults file.
#include <string>

#include "checks.h"
#include "decode.h"
#include "pulse/model/alerts.h"
#include "pulse/model/parse.h"
#include "yaml_documents.h"

namespace pulse::model::internal {
namespace {

void ReadAlertOverride(ErrorSink& sink, const json& v, const std::string& path,
                       AlertOverride& out) {
  ObjectReader r(sink, v, path);
  if (const json* e = r.Field("enabled")) {
    bool b = true;
    if (ReadBool(sink, *e, r.Child("enabled"), b)) out.enabled = b;
  }
  r.Number("threshold", out.threshold);
  r.Dur("for", out.for_);
  r.Dur("window", out.window);
  if (const json* s = r.Field("severity")) {
    std::string text;
    if (ReadString(sink, *s, r.Child("severity"), text)) out.severity = text;
  }
  r.StringMap("labels", out.labels);
  if (const json* u = r.Field("runbookURL")) {
    std::string text;
    if (ReadString(sink, *u, r.Child("runbookURL"), text)) out.runbook_url = text;
  }
  r.Finish();
}

}  // namespace

void ReadAlertOverrides(ObjectReader& parent, std::string_view key, AlertScope scope,
                        AlertOverrides& out) {
  const json* v = parent.Field(key);
  if (v == nullptr) return;
  ObjectReader r(parent.sink(), *v, parent.Child(key));
  for (const AlertDefinition& def : AlertCatalogue()) {
    if (def.scope != scope) continue;
    if (const json* block = r.Field(def.key)) {
      AlertOverride o;
      ReadAlertOverride(r.sink(), *block, r.Child(def.key), o);
      out[std::string(def.key)] = std::move(o);
    }
  }
  r.Finish();
}

}  // namespace pulse::model::internal

namespace pulse::model {

AlertDefaultsResult ParseAlertDefaults(std::string_view text, std::string_view file) {
  AlertDefaultsResult out;
  Error prototype;
  prototype.file = std::string(file);
  internal::ErrorSink sink(prototype);
  if (text.size() > kMaxInputBytes) {
    sink.Add(ErrorCode::kOutOfRange, "", std::to_string(text.size()) + " bytes",
             "input is larger than the limit of " + std::to_string(kMaxInputBytes) + " bytes");
    out.errors = std::move(sink.errors());
    return out;
  }
  const std::vector<internal::YamlDocument> docs = internal::ReadYamlDocuments(text);
  std::size_t non_empty = 0;
  for (const internal::YamlDocument& doc : docs) {
    if (!doc.error.empty()) {
      sink.Add(ErrorCode::kSyntax, "", "", doc.error);
      continue;
    }
    if (doc.empty) continue;
    if (++non_empty > 1) {
      sink.Add(ErrorCode::kInvalidValue, "", "", "expected one YAML document");
      break;
    }
    internal::ObjectReader top(sink, doc.value, "");
    internal::ReadAlertOverrides(top, "apiMonitor", AlertScope::kApiMonitor,
                                 out.defaults.api_monitor);
    internal::ReadAlertOverrides(top, "exporter", AlertScope::kExporter, out.defaults.exporter);
    top.Finish();
  }
  if (sink.empty()) {
    internal::CheckAlertOverrides(sink, "apiMonitor", AlertScope::kApiMonitor, "",
                                  out.defaults.api_monitor);
    internal::CheckAlertOverrides(sink, "exporter", AlertScope::kExporter, "",
                                  out.defaults.exporter);
  }
  out.errors = std::move(sink.errors());
  if (!out.errors.empty()) out.defaults = {};
  return out;
}

}  // namespace pulse::model
