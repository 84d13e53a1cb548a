#include "pulse/render/json_writer.h"

#include <cassert>
#include <charconv>
#include <cmath>

#include "pulse/render/text_escape.h"

namespace pulse::render {

void JsonWriter::Indent(std::size_t depth) {
  out_ += '\n';
  out_.append(depth * 2, ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;  // the document's root value
  Frame& f = stack_.back();
  assert(!f.is_object);
  if (f.count++ > 0) out_ += ',';
  Indent(stack_.size());
}

void JsonWriter::BeginObject() {
  if (stack_.empty() && out_.empty()) out_.reserve(32 * 1024);  // a dashboard is ~20 KiB
  BeforeValue();
  out_ += '{';
  stack_.push_back(Frame{true});
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_ += '[';
  stack_.push_back(Frame{false});
}

void JsonWriter::EndObject() {
  assert(!stack_.empty() && stack_.back().is_object && !after_key_);
  const bool empty = stack_.back().count == 0;
  stack_.pop_back();
  if (!empty) Indent(stack_.size());
  out_ += '}';
  if (stack_.empty()) out_ += '\n';
}

void JsonWriter::EndArray() {
  assert(!stack_.empty() && !stack_.back().is_object);
  const bool empty = stack_.back().count == 0;
  stack_.pop_back();
  if (!empty) Indent(stack_.size());
  out_ += ']';
  if (stack_.empty()) out_ += '\n';
}

void JsonWriter::Key(std::string_view key) {
  assert(!stack_.empty() && stack_.back().is_object && !after_key_);
  Frame& f = stack_.back();
  if (f.count++ > 0) out_ += ',';
  Indent(stack_.size());
  AppendJsonQuoted(out_, key);
  out_ += ": ";
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonQuoted(out_, value);
}

void JsonWriter::Int(std::int64_t value) {
  BeforeValue();
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, res.ptr);
}

void JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    out_ += "null";
    return;
  }
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, res.ptr);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

}  // namespace pulse::render
