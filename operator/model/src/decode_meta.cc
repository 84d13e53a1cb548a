#include <limits>

#include "decode.h"

namespace pulse::model::internal {

Error ObjectPrototype(const nlohmann::json& object, const Source& source, const std::string& kind) {
  Error e;
  e.file = source.file;
  e.kind = kind;
  if (object.is_object()) {
    auto meta = object.find("metadata");
    if (meta != object.end() && meta->is_object()) {
      auto name = meta->find("name");
      if (name != meta->end() && name->is_string()) e.name = ValueText(*name);
      auto ns = meta->find("namespace");
      e.namespace_ = (ns != meta->end() && ns->is_string()) ? ValueText(*ns) : "default";
    }
  }
  return e;
}

void ReadObjectMeta(ObjectReader& top, ObjectMeta& meta) {
  const json* v = top.Field("metadata", true);
  if (v == nullptr) return;
  ObjectReader r(top.sink(), *v, "metadata");
  r.String("name", meta.name, true);
  r.String("namespace", meta.namespace_);
  r.String("uid", meta.uid);
  r.Int("generation", 0, std::numeric_limits<std::int64_t>::max(), meta.generation);
  r.String("resourceVersion", meta.resource_version);
  r.StringMap("labels", meta.labels);
  r.StringMap("annotations", meta.annotations);
  // Everything else the API server maintains is accepted and not needed.
  if (r.ok()) {
    for (const auto& [key, value] : v->items()) r.Field(key);
  }
}

}  // namespace pulse::model::internal
