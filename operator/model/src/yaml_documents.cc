#include "yaml_documents.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "pulse/model/parse.h"
#include "utf8.h"

namespace pulse::model::internal {
namespace {

using nlohmann::json;

// Alias expansion can multiply a small text into a huge tree ("billion laughs"); count every
// node built, expanded aliases included, and stop at this many.
constexpr std::size_t kMaxNodesPerDocument = 1'000'000;

struct ReadError {
  YAML::Mark mark;
  std::string message;
};

bool IsNull(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> AsBool(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

bool AllDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = base == 16  ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                    : base == 8 ? (c >= '0' && c <= '7')
                                : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Integers per the YAML 1.2 core schema. Values beyond 64 bits become floats so that the
// decoder can say "out of range" instead of "not a number".
std::optional<json> AsInt(const std::string& s) {
  std::string_view v = s;
  int base = 10;
  bool negative = false;
  if (v.starts_with("0x")) {
    base = 16;
    v.remove_prefix(2);
  } else if (v.starts_with("0o")) {
    base = 8;
    v.remove_prefix(2);
  } else if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    negative = v[0] == '-';
    v.remove_prefix(1);
  }
  if (!AllDigits(v, base)) return std::nullopt;
  const std::string digits(v);
  errno = 0;
  const unsigned long long u = std::strtoull(digits.c_str(), nullptr, base);
  if (errno == ERANGE)
    return json(negative ? -std::strtod(digits.c_str(), nullptr)
                         : std::strtod(digits.c_str(), nullptr));
  if (!negative) {
    if (u <= static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max())) {
      return json(static_cast<std::int64_t>(u));
    }
    return json(static_cast<std::uint64_t>(u));
  }
  if (u <= static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max()) + 1ULL) {
    return json(static_cast<std::int64_t>(0 - u));
  }
  return json(-static_cast<double>(u));
}

std::optional<json> AsFloat(const std::string& s) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF") {
    return json(std::numeric_limits<double>::infinity());
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF")
    return json(-std::numeric_limits<double>::infinity());
  if (s == ".nan" || s == ".NaN" || s == ".NAN")
    return json(std::numeric_limits<double>::quiet_NaN());
  // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto digits = [&] {
    const std::size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < n && (s[i] == '-' || s[i] == '+')) ++i;
  const std::size_t int_digits = digits();
  std::size_t frac_digits = 0;
  if (i < n && s[i] == '.') {
    ++i;
    frac_digits = digits();
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return std::nullopt;
  }
  if (i != n) return std::nullopt;
  return json(std::strtod(s.c_str(), nullptr));
}

json ResolvePlain(const std::string& s) {
  if (IsNull(s)) return json(nullptr);
  if (auto b = AsBool(s)) return json(*b);
  if (auto i = AsInt(s)) return *i;
  if (auto f = AsFloat(s)) return *f;
  return json(s);
}

// Builds JSON from yaml-cpp's event stream.
class JsonBuilder final : public YAML::EventHandler {
 public:
  json TakeRoot() { return std::move(root_); }
  bool has_root() const { return has_root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Emit(mark, json(nullptr), anchor, std::nullopt);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw ReadError{mark, "alias to an unknown anchor"};
    Count(mark, it->second.second);
    Emit(mark, it->second.first, 0, std::nullopt);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (!IsValidUtf8(value)) throw ReadError{mark, "invalid UTF-8 in a scalar"};
    Count(mark, 1);
    Emit(mark, Resolve(mark, tag, value), anchor, value);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    CheckCollectionTag(mark, tag, "tag:yaml.org,2002:seq");
    Open(mark, json::array(), anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    CheckCollectionTag(mark, tag, "tag:yaml.org,2002:map");
    Open(mark, json::object(), anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    json value;
    YAML::anchor_t anchor = 0;
    YAML::Mark mark;
    bool expecting_key = true;  // maps only
    std::string key;
    std::size_t nodes = 1;
  };

  static void CheckCollectionTag(const YAML::Mark& mark, const std::string& tag,
                                 const char* allowed) {
    if (tag.empty() || tag == "?" || tag == "!" || tag == allowed) return;
    throw ReadError{mark, "unsupported YAML tag " + tag};
  }

  static json Resolve(const YAML::Mark& mark, const std::string& tag, const std::string& value) {
    if (tag == "?") return ResolvePlain(value);
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return json(value);
    if (tag == "tag:yaml.org,2002:null" && IsNull(value)) return json(nullptr);
    if (tag == "tag:yaml.org,2002:bool") {
      if (auto b = AsBool(value)) return json(*b);
    } else if (tag == "tag:yaml.org,2002:int") {
      if (auto i = AsInt(value)) return *i;
    } else if (tag == "tag:yaml.org,2002:float") {
      if (auto f = AsFloat(value)) return *f;
      if (auto i = AsInt(value)) return json(i->get<double>());
    } else if (tag != "tag:yaml.org,2002:null") {
      throw ReadError{mark, "unsupported YAML tag " + tag};
    }
    throw ReadError{mark, "value \"" + value + "\" does not match its tag " + tag};
  }

  void Count(const YAML::Mark& mark, std::size_t n) {
    nodes_ += n;
    if (nodes_ > kMaxNodesPerDocument) {
      throw ReadError{mark, "document has more than " + std::to_string(kMaxNodesPerDocument) +
                                " nodes (after expanding aliases)"};
    }
  }

  void Open(const YAML::Mark& mark, json value, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= kMaxNestingDepth) {
      throw ReadError{mark, "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels"};
    }
    if (!stack_.empty() && stack_.back().value.is_object() && stack_.back().expecting_key) {
      throw ReadError{mark, "a map key must be a scalar"};
    }
    Count(mark, 1);
    stack_.push_back(Frame{std::move(value), anchor, mark, true, {}, nodes_});
  }

  void Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Emit(frame.mark, std::move(frame.value), frame.anchor, std::nullopt, nodes_ - frame.nodes + 1);
  }

  void Emit(const YAML::Mark& mark, json value, YAML::anchor_t anchor,
            const std::optional<std::string>& raw_scalar, std::size_t node_count = 1) {
    if (anchor != 0) anchors_[anchor] = {value, node_count};
    if (stack_.empty()) {
      root_ = std::move(value);
      has_root_ = true;
      return;
    }
    Frame& parent = stack_.back();
    if (parent.value.is_array()) {
      parent.value.push_back(std::move(value));
      return;
    }
    if (parent.expecting_key) {
      if (!raw_scalar) throw ReadError{mark, "a map key must be a non-empty scalar"};
      if (parent.value.contains(*raw_scalar)) {
        throw ReadError{mark, "duplicate key \"" + *raw_scalar + "\""};
      }
      parent.key = *raw_scalar;
      parent.expecting_key = false;
      return;
    }
    parent.value[parent.key] = std::move(value);
    parent.expecting_key = true;
  }

  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, std::pair<json, std::size_t>> anchors_;
  std::size_t nodes_ = 0;
  json root_;
  bool has_root_ = false;
};

struct Chunk {
  std::string_view text;
  int first_line = 1;
};

bool IsDocumentStart(std::string_view line) {
  return line.starts_with("---") &&
         (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

bool IsBlank(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(i, end - i);
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#') {
      std::string_view rest = line.substr(first);
      if (!(IsDocumentStart(rest) &&
            rest.substr(3).find_first_not_of(" \t\r") == std::string_view::npos) &&
          rest != "..." && !rest.starts_with("...")) {
        return false;
      }
    }
    i = end + 1;
  }
  return true;
}

std::vector<Chunk> Split(std::string_view text) {
  std::vector<Chunk> chunks;
  std::size_t start = 0;
  int start_line = 1;
  int line_no = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    if (i != 0 && IsDocumentStart(text.substr(i, end - i))) {
      chunks.push_back(Chunk{text.substr(start, i - start), start_line});
      start = i;
      start_line = line_no;
    }
    i = end + 1;
    ++line_no;
  }
  chunks.push_back(Chunk{text.substr(start), start_line});
  // Comments or blank lines before the first "---" are not a document ("---" itself opens one).
  const std::string_view first = chunks.front().text;
  if (chunks.size() > 1 && !IsDocumentStart(first.substr(0, first.find('\n'))) && IsBlank(first)) {
    chunks.erase(chunks.begin());
  }
  return chunks;
}

std::string Where(const YAML::Mark& mark, int first_line) {
  if (mark.is_null() || mark.line < 0) return "yaml: ";
  return "yaml: line " + std::to_string(first_line + mark.line) + ", column " +
         std::to_string(mark.column + 1) + ": ";
}

}  // namespace

std::vector<YamlDocument> ReadYamlDocuments(std::string_view text) {
  std::vector<YamlDocument> docs;
  int index = 0;
  for (const Chunk& chunk : Split(text)) {
    YamlDocument doc;
    doc.index = index++;
    doc.first_line = chunk.first_line;
    if (IsBlank(chunk.text)) {
      doc.empty = true;
      docs.push_back(std::move(doc));
      continue;
    }
    try {
      std::istringstream in{std::string(chunk.text)};
      YAML::Parser parser(in);
      JsonBuilder builder;
      parser.HandleNextDocument(builder);
      JsonBuilder extra;
      if (parser.HandleNextDocument(extra) && extra.has_root()) {
        doc.error = "yaml: more than one document between \"---\" separators";
      } else {
        doc.value = builder.TakeRoot();
        doc.empty = doc.value.is_null();
      }
    } catch (const ReadError& e) {
      doc.error = Where(e.mark, chunk.first_line) + e.message;
      doc.value = nullptr;
    } catch (const YAML::Exception& e) {
      doc.error = Where(e.mark, chunk.first_line) + e.msg;
      doc.value = nullptr;
    }
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace pulse::model::internal
