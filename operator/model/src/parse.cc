#include "pulse/model/parse.h"

#include <nlohmann/json.hpp>
#include <string>

#include "decode.h"
#include "json_reader.h"
#include "utf8.h"
#include "yaml_documents.h"

namespace pulse::model {
namespace {

using internal::json;

std::string DocumentLabel(int index) { return "document " + std::to_string(index + 1); }

Error DocumentError(const Source& source, ErrorCode code, std::string detail,
                    std::string value = "") {
  Error e;
  e.code = code;
  e.file = source.file;
  e.value = std::move(value);
  e.detail = DocumentLabel(source.document) + ": " + std::move(detail);
  return e;
}

std::string Note(const Source& source, const std::string& text) {
  return (source.file.empty() ? "" : source.file + ": ") + DocumentLabel(source.document) + ": " +
         text;
}

std::string StringField(const json& object, const char* key) {
  auto it = object.find(key);
  return (it != object.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

void ParseObject(const json& doc, const Source& source, int list_depth, ParseResult& out) {
  if (!doc.is_object()) {
    out.errors.push_back(
        DocumentError(source, ErrorCode::kType,
                      "expected a Kubernetes object (a map), got " + internal::Describe(doc),
                      internal::ValueText(doc)));
    return;
  }
  const std::string api_version = StringField(doc, "apiVersion");
  const std::string kind = StringField(doc, "kind");
  if (api_version.empty() || kind.empty()) {
    out.errors.push_back(DocumentError(source, ErrorCode::kMissingField,
                                       "apiVersion and kind must be set to non-empty strings"));
    return;
  }
  // kubectl's "List" and the API's "<Kind>List": read the items.
  if (kind.size() >= 4 && kind.ends_with("List") && doc.contains("items")) {
    const json& items = doc["items"];
    if (!items.is_array() || list_depth > 0) {
      out.errors.push_back(
          DocumentError(source, ErrorCode::kType, kind + ": items must be a list of objects"));
      return;
    }
    // An API list response leaves apiVersion/kind off its items; restore them from the list.
    const std::string item_kind = kind == "List" ? "" : kind.substr(0, kind.size() - 4);
    for (const json& item : items) {
      if (item.is_object() && !item_kind.empty() && !item.contains("kind")) {
        json copy = item;
        copy["kind"] = item_kind;
        copy["apiVersion"] = api_version;
        ParseObject(copy, source, list_depth + 1, out);
      } else {
        ParseObject(item, source, list_depth + 1, out);
      }
    }
    return;
  }
  if (api_version == "v1" && kind == "Secret") {
    if (auto secret = internal::DecodeSecret(doc, source, out.errors)) {
      out.objects.secrets.push_back(std::move(*secret));
    }
    return;
  }
  const std::string group_prefix = std::string(kApiGroup) + "/";
  if (api_version.starts_with(group_prefix)) {
    if (api_version != kApiVersion || (kind != kApiMonitorKind && kind != kExporterKind)) {
      Error e = internal::ObjectPrototype(doc, source, internal::Printable(kind, 64));
      e.code = ErrorCode::kUnsupportedKind;
      e.path = "apiVersion";
      e.value = internal::Printable(api_version + " " + kind, 120);
      e.detail = "unsupported kind " + e.value + " (pulse reads " + kApiVersion +
                 " ApiMonitor and Exporter)";
      out.errors.push_back(std::move(e));
      return;
    }
    if (kind == kApiMonitorKind) {
      if (auto m = internal::DecodeApiMonitor(doc, source, out.errors)) {
        out.objects.api_monitors.push_back(std::move(*m));
      }
    } else if (auto x = internal::DecodeExporter(doc, source, out.errors)) {
      out.objects.exporters.push_back(std::move(*x));
    }
    return;
  }
  // Another Kubernetes kind (Deployment, ConfigMap, ...) in the same file: not pulse's business.
  Error id = internal::ObjectPrototype(doc, source, kind);
  out.notes.push_back(Note(source, "skipped " + internal::Printable(api_version, 64) + " " +
                                       internal::Printable(kind, 64) + " " + id.namespace_ + "/" +
                                       id.name + " (not a pulse kind)"));
}

bool TooLarge(std::string_view text, std::string_view file, ParseResult& out) {
  if (text.size() <= kMaxInputBytes) return false;
  Error e;
  e.code = ErrorCode::kOutOfRange;
  e.file = std::string(file);
  e.value = std::to_string(text.size()) + " bytes";
  e.detail = "input is " + e.value + ", more than the limit of " + std::to_string(kMaxInputBytes) +
             " bytes";
  out.errors.push_back(std::move(e));
  return true;
}

}  // namespace

ParseResult ParseYaml(std::string_view text, std::string_view file) {
  ParseResult out;
  if (TooLarge(text, file, out)) return out;
  for (internal::YamlDocument& doc : internal::ReadYamlDocuments(text)) {
    const Source source{std::string(file), doc.index};
    if (!doc.error.empty()) {
      out.errors.push_back(DocumentError(source, ErrorCode::kSyntax, doc.error));
    } else if (doc.empty) {
      out.notes.push_back(Note(source, "empty document skipped"));
    } else {
      ParseObject(doc.value, source, 0, out);
    }
  }
  return out;
}

ParseResult ParseJson(std::string_view text, std::string_view file) {
  ParseResult out;
  if (TooLarge(text, file, out)) return out;
  const Source source{std::string(file), 0};
  struct TooDeep {};
  json doc;
  try {
    doc = json::parse(
        text.begin(), text.end(),
        [](int depth, json::parse_event_t, json&) {
          if (depth > kMaxNestingDepth) throw TooDeep{};
          return true;
        },
        true);
  } catch (const TooDeep&) {
    out.errors.push_back(
        DocumentError(source, ErrorCode::kOutOfRange,
                      "json: nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels"));
    return out;
  } catch (const json::parse_error& e) {
    out.errors.push_back(DocumentError(source, ErrorCode::kSyntax,
                                       "json: syntax error at byte " + std::to_string(e.byte) +
                                           ": " + internal::Printable(e.what(), 200)));
    return out;
  } catch (const json::exception& e) {
    // e.g. out_of_range 406: a number literal beyond what a double holds ("1e999").
    out.errors.push_back(DocumentError(source, ErrorCode::kOutOfRange,
                                       "json: " + internal::Printable(e.what(), 200)));
    return out;
  }
  ParseObject(doc, source, 0, out);
  return out;
}

}  // namespace pulse::model
