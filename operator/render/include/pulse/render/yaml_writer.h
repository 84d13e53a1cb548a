// A small streaming writer for block-style YAML, the format of prometheus.yml and rule files.
//
// Why not yaml-cpp's Emitter: the renderers must be byte-stable and fast for 10,000 objects, and
// the quoting rules here are chosen for what Prometheus' Go YAML parser reads back unchanged
// (strings that YAML 1.1 would read as booleans, numbers or null are always quoted).
//
// Usage: BeginMap(); Key("a"); String("b"); Key("list"); BeginSeq(); Int(1); EndSeq(); EndMap();
// Sequences under a key are written at the key's indentation ("key:\n- a"), like Go's yaml.v2.
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

class YamlWriter {
 public:
  void BeginMap();
  void EndMap();
  void BeginSeq();
  void EndSeq();

  void Key(std::string_view key);
  // Any text: plain when unambiguous, otherwise double-quoted with escapes.
  void String(std::string_view value);
  // Multi-line friendly text (PromQL): a "|-" literal block when that reads back exactly,
  // otherwise the same as String().
  void Literal(std::string_view value);
  void Int(std::int64_t value);
  void Bool(bool value);

  // Hands what is written so far to `sink` and forgets it (the writer keeps only its nesting
  // state), so a large document can be consumed as it is written instead of held whole. Take()
  // and str() then hold only what came after the last Drain.
  template <typename Sink>
  void Drain(Sink&& sink) {
    if (out_.empty()) return;
    const std::string_view written = out_;
    sink(written);
    out_.clear();
  }

  // The document written so far. Call after the outermost End*().
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

  // True when `value` can be written as a plain scalar and reads back as the same string.
  static bool IsPlainSafe(std::string_view value);

 private:
  struct Frame {
    bool is_map;
    int indent;             // column of this collection's keys / "- " markers
    int count = 0;          // children written so far
    bool first_inline;      // first child continues the current line (after "- ")
    bool after_parent_key;  // the collection is the value of a key: "key:" is pending
  };

  void BeforeValue();  // positions the cursor for a value (after a key or as a seq item)
  void StartChild();   // writes the line break / indentation before a child
  void Scalar(std::string_view text);  // writes an already formatted scalar
  void BeginCollection(bool is_map);
  void EndCollection(bool is_map);

  std::string out_;
  std::vector<Frame> stack_;
  bool after_key_ = false;
};

}  // namespace pulse::render
