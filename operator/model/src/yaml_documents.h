// Private: turns YAML text into JSON values, one per document, with the typing Kubernetes
// applies (YAML 1.2 core schema: quoted scalars are strings; plain ones may be null, booleans,
// integers or floats). Errors carry the document index and the line/column.
//
// Thread-safety: pure function.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::model::internal {

struct YamlDocument {
  int index = 0;       // 0-based position in the file (empty documents count too)
  int first_line = 1;  // 1-based line of the document's first line
  bool empty = false;  // only comments/whitespace, or an explicit null
  nlohmann::json value;
  std::string error;  // non-empty: the document could not be read; value is null
};

// Splits at "---" lines (column 0) and converts each document on its own, so one broken
// document does not hide the others.
std::vector<YamlDocument> ReadYamlDocuments(std::string_view text);

}  // namespace pulse::model::internal
