// A small streaming writer for pretty-printed JSON (two-space indentation, keys in the order
// written), the format of Grafana dashboard files.
//
// Why not nlohmann::json: a dashboard is written once, top to bottom; a streaming writer keeps
// key order as written (Grafana's own export order reads naturally), allocates only the output,
// and keeps this library's public headers free of third-party types.
//
// Misuse (a value where a key belongs, unbalanced Begin/End) is a programming error and checked
// by assert only.
//
// Thread-safety: not thread-safe; one writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::render {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();

  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(std::int64_t value);
  // Shortest text that reads back as the same double; NaN and infinities are written as null.
  void Double(double value);
  void Bool(bool value);
  void Null();

  // Shorthands for a key followed by a value.
  void Field(std::string_view key, std::string_view value) { Key(key), String(value); }
  void Field(std::string_view key, const char* value) { Key(key), String(value); }
  void Field(std::string_view key, std::int64_t value) { Key(key), Int(value); }
  void Field(std::string_view key, int value) { Key(key), Int(value); }
  void Field(std::string_view key, bool value) { Key(key), Bool(value); }
  void FieldDouble(std::string_view key, double value) { Key(key), Double(value); }

  const std::string& str() const { return out_; }
  // Hands the document over, trimmed when most of its capacity is unused: the writer reserves
  // room up front, and thousands of small documents kept at once (one rule file per object)
  // would otherwise each hold that whole reservation. A document that grew past it wastes
  // less than half and is handed over as is: trimming copies it, and for a 13 MB config the
  // copy beside the original was the operator's peak memory.
  std::string Take() {
    if (out_.capacity() > 2 * out_.size()) out_.shrink_to_fit();
    return std::move(out_);
  }

 private:
  struct Frame {
    bool is_object;
    int count = 0;
  };
  void BeforeValue();
  void Indent(std::size_t depth);

  std::string out_;
  std::vector<Frame> stack_;
  bool after_key_ = false;
};

}  // namespace pulse::render
