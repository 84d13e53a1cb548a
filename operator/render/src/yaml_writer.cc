#include "pulse/render/yaml_writer.h"

#include <cassert>
#include <charconv>

#include "pulse/render/text_escape.h"

namespace pulse::render {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A Prometheus duration such as "30s" or "1h30m": digits followed by units, never a number.
bool IsDurationLike(std::string_view v) {
  std::size_t i = 0;
  bool any = false;
  while (i < v.size()) {
    const std::size_t start = i;
    while (i < v.size() && IsDigit(v[i])) ++i;
    if (i == start) return false;
    if (v.substr(i, 2) == "ms") {
      i += 2;
    } else if (i < v.size() && std::string_view("smhdwy").find(v[i]) != std::string_view::npos) {
      ++i;
    } else {
      return false;
    }
    any = true;
  }
  return any;
}

}  // namespace

bool YamlWriter::IsPlainSafe(std::string_view v) {
  if (v.empty() || v.size() > 1024) return false;
  if (IsDurationLike(v)) return true;
  const char first = v.front();
  if (!(IsAlpha(first) || first == '_' || first == '/')) return false;  // no numbers, no ".inf"
  for (char c : v) {
    if (!(IsAlpha(c) || IsDigit(c) || c == '_' || c == '.' || c == '/' || c == '-' || c == ':')) {
      return false;
    }
  }
  // ':' is plain only inside a word ("a:b"); "a:" or "a: b" would start a mapping. Starting with
  // a letter also rules out YAML 1.1 sexagesimal numbers ("1:30").
  if (v.back() == ':') return false;
  // YAML 1.1 (Go's yaml.v2, used by Prometheus 2.x) reads these as booleans or null.
  static constexpr std::string_view kReserved[] = {"y",     "n",  "yes", "no",  "true",
                                                   "false", "on", "off", "null"};
  for (std::string_view word : kReserved) {
    if (EqualsIgnoreCase(v, word)) return false;
  }
  return true;
}

void YamlWriter::StartChild() {
  Frame& f = stack_.back();
  if (f.count == 0) {
    if (f.after_parent_key) out_ += '\n';
    if (!f.first_inline) out_.append(static_cast<std::size_t>(f.indent), ' ');
  } else {
    out_.append(static_cast<std::size_t>(f.indent), ' ');
  }
  ++f.count;
}

void YamlWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  assert(!stack_.empty() && !stack_.back().is_map);
  StartChild();
  out_ += "- ";
}

void YamlWriter::Scalar(std::string_view text) {
  const bool inline_after_key = after_key_;
  BeforeValue();
  if (inline_after_key) out_ += ' ';
  out_ += text;
  out_ += '\n';
}

void YamlWriter::BeginCollection(bool is_map) {
  if (stack_.empty()) {
    if (out_.empty()) out_.reserve(16 * 1024);
    stack_.push_back(Frame{is_map, 0, 0, false, false});
    return;
  }
  if (after_key_) {
    after_key_ = false;
    const int parent_indent = stack_.back().indent;
    // Maps nest two columns deeper; sequences stay at the key's column (yaml.v2 style).
    stack_.push_back(Frame{is_map, is_map ? parent_indent + 2 : parent_indent, 0, false, true});
    return;
  }
  BeforeValue();  // "- " written; the collection's first child continues this line
  const int parent_indent = stack_.back().indent;
  stack_.push_back(Frame{is_map, parent_indent + 2, 0, true, false});
}

void YamlWriter::EndCollection(bool is_map) {
  assert(!stack_.empty() && stack_.back().is_map == is_map && !after_key_);
  const Frame f = stack_.back();
  stack_.pop_back();
  if (f.count == 0) {
    if (f.after_parent_key) out_ += ' ';
    out_ += is_map ? "{}\n" : "[]\n";
  }
}

void YamlWriter::BeginMap() { BeginCollection(true); }
void YamlWriter::EndMap() { EndCollection(true); }
void YamlWriter::BeginSeq() { BeginCollection(false); }
void YamlWriter::EndSeq() { EndCollection(false); }

void YamlWriter::Key(std::string_view key) {
  assert(!stack_.empty() && stack_.back().is_map && !after_key_);
  StartChild();
  if (IsPlainSafe(key)) {
    out_ += key;
  } else {
    AppendYamlQuoted(out_, key);
  }
  out_ += ':';
  after_key_ = true;
}

void YamlWriter::String(std::string_view value) {
  if (IsPlainSafe(value)) {
    Scalar(value);
    return;
  }
  std::string quoted;
  quoted.reserve(value.size() + 2);
  AppendYamlQuoted(quoted, value);
  Scalar(quoted);
}

void YamlWriter::Literal(std::string_view value) {
  // A literal block reads back exactly when the text is printable, its first line starts with a
  // non-space (otherwise an indentation indicator would be needed) and it has no trailing line
  // break (the "-" chomping indicator strips it). Deeper indentation of later lines is kept.
  const bool literal_ok = !value.empty() && value.front() != ' ' && value.front() != '\n' &&
                          value.back() != '\n' && value.back() != ' ' &&
                          value.find('\t') == std::string_view::npos &&
                          IsPrintableUtf8(value, /*allow_newline=*/true);
  if (!literal_ok) {
    String(value);
    return;
  }
  const bool inline_after_key = after_key_;
  BeforeValue();
  if (inline_after_key) out_ += ' ';
  out_ += "|-\n";
  const std::size_t content_indent = static_cast<std::size_t>(stack_.back().indent) + 2;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find('\n', start);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view line = value.substr(start, end - start);
    if (!line.empty()) out_.append(content_indent, ' ');
    out_ += line;
    out_ += '\n';
    start = end + 1;
  }
}

void YamlWriter::Int(std::int64_t value) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  Scalar(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
}

void YamlWriter::Bool(bool value) { Scalar(value ? "true" : "false"); }

}  // namespace pulse::render
