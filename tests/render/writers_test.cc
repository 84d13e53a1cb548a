// The YAML/JSON writers and escaping helpers against hostile text: whatever the input, the
// output parses (yaml-cpp, nlohmann::json) back to the same string, with bytes that are not
// UTF-8 replaced by U+FFFD.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <set>

#include "pulse/render/json_writer.h"
#include "pulse/render/text_escape.h"
#include "pulse/render/yaml_writer.h"

namespace pulse::render {
namespace {

const std::vector<std::string>& HostileStrings() {
  static const std::vector<std::string> strings = {
      "plain",
      "",
      " leading space",
      "trailing space ",
      "true",
      "False",
      "yes",
      "on",
      "null",
      "~",
      "1:30",
      "0x1F",
      "1e3",
      ".inf",
      "- item",
      "key: value",
      "a:",
      "#comment",
      "&anchor",
      "*alias",
      "!tag",
      "%directive",
      "@at",
      "`tick`",
      "{flow}",
      "[seq]",
      "quote\"inside",
      "back\\slash",
      "single'quote",
      "multi\nline\ntext",
      "tab\there",
      "cr\rlf",
      std::string("nul\0byte", 8),
      "bell\x07",
      "del\x7f",
      "Grüße 日本語 🚀",
      "line\xE2\x80\xA8sep",                // U+2028
      std::string("\xEF\xBB\xBF") + "bom",  // U+FEFF, then text (one string, not two)
      "c1\xC2\x85next",                     // U+0085 NEL
      "sum by (le) (rate(x{a=\"b\"}[5m]))",
      "${1}-$2",
      "---",
      "...",
      "|literal",
      ">folded",
      "? complex",
      "a #not comment",
      std::string(5000, 'x'),
  };
  return strings;
}

// Invalid UTF-8 that must come back as U+FFFD.
const std::vector<std::pair<std::string, std::string>>& InvalidUtf8() {
  static const std::vector<std::pair<std::string, std::string>> cases = {
      {"bad\xFFtail", "bad\xEF\xBF\xBDtail"},
      {"trunc\xE2\x82", "trunc\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"overlong\xC0\xAF", "overlong\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"surrogate\xED\xA0\x80", "surrogate\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  return cases;
}

std::string YamlRoundTrip(const std::string& value, bool literal) {
  YamlWriter w;
  w.BeginMap();
  w.Key("k");
  if (literal) {
    w.Literal(value);
  } else {
    w.String(value);
  }
  w.Key(value.empty() ? "empty" : value.substr(0, 100));  // hostile keys too
  w.String("v");
  w.EndMap();
  const YAML::Node node = YAML::Load(w.str());
  return node["k"].as<std::string>();
}

TEST(YamlWriter, HostileStringsRoundTrip) {
  for (const auto& s : HostileStrings()) {
    EXPECT_EQ(YamlRoundTrip(s, false), s) << "String(" << ::testing::PrintToString(s) << ")";
    EXPECT_EQ(YamlRoundTrip(s, true), s) << "Literal(" << ::testing::PrintToString(s) << ")";
  }
}

TEST(YamlWriter, InvalidUtf8BecomesReplacementCharacter) {
  for (const auto& [in, want] : InvalidUtf8()) {
    EXPECT_EQ(YamlRoundTrip(in, false), want) << ::testing::PrintToString(in);
  }
}

TEST(YamlWriter, WordsYaml11ReadsAsOtherTypesAreQuoted) {
  for (const char* word : {"true", "False", "yes", "NO", "on", "Off", "y", "n", "null", "1", "1.5",
                           "1:30", ".5", "-1", "+1", "0x10", ""}) {
    EXPECT_FALSE(YamlWriter::IsPlainSafe(word)) << word;
  }
  for (const char* word : {"30s", "1m30s", "http", "/metrics", "rules/x.yaml", "a:b", "job_name",
                           "pulse_apimonitor:http_requests:rate5m"}) {
    EXPECT_TRUE(YamlWriter::IsPlainSafe(word)) << word;
  }
}

TEST(YamlWriter, NestedCollectionsAndEmptyOnes) {
  YamlWriter w;
  w.BeginMap();
  w.Key("empty_map");
  w.BeginMap();
  w.EndMap();
  w.Key("empty_seq");
  w.BeginSeq();
  w.EndSeq();
  w.Key("seq");
  w.BeginSeq();
  w.BeginMap();
  w.Key("a");
  w.Int(1);
  w.Key("b");
  w.BeginSeq();
  w.Bool(true);
  w.BeginSeq();
  w.String("x");
  w.EndSeq();
  w.BeginMap();
  w.EndMap();
  w.EndSeq();
  w.EndMap();
  w.Int(-7);
  w.EndSeq();
  w.EndMap();
  EXPECT_EQ(w.str(),
            "empty_map: {}\n"
            "empty_seq: []\n"
            "seq:\n"
            "- a: 1\n"
            "  b:\n"
            "  - true\n"
            "  - - x\n"
            "  - {}\n"
            "- -7\n");
  const YAML::Node node = YAML::Load(w.str());
  EXPECT_EQ(node["seq"][0]["b"][1][0].as<std::string>(), "x");
  EXPECT_EQ(node["seq"][1].as<int>(), -7);
  EXPECT_TRUE(node["empty_map"].IsMap());
  EXPECT_TRUE(node["empty_seq"].IsSequence());
}

TEST(YamlWriter, LiteralBlockKeepsIndentationOfLaterLines) {
  YamlWriter w;
  w.BeginSeq();
  w.BeginMap();
  w.Key("expr");
  w.Literal("(\n  a\n  or\n  b\n)\n/\nc");
  w.EndMap();
  w.EndSeq();
  EXPECT_EQ(w.str(), "- expr: |-\n    (\n      a\n      or\n      b\n    )\n    /\n    c\n");
  EXPECT_EQ(YAML::Load(w.str())[0]["expr"].as<std::string>(), "(\n  a\n  or\n  b\n)\n/\nc");
}

std::string JsonRoundTrip(const std::string& value) {
  JsonWriter w;
  w.BeginObject();
  w.Field("k", value);
  w.Key(value);
  w.BeginArray();
  w.String(value);
  w.EndArray();
  w.EndObject();
  const auto j = nlohmann::json::parse(w.str());
  EXPECT_EQ(j.size(), value == "k" ? 1u : 2u);
  return j["k"].get<std::string>();
}

TEST(JsonWriter, HostileStringsRoundTrip) {
  for (const auto& s : HostileStrings()) {
    EXPECT_EQ(JsonRoundTrip(s), s) << ::testing::PrintToString(s);
  }
  for (const auto& [in, want] : InvalidUtf8()) EXPECT_EQ(JsonRoundTrip(in), want);
}

TEST(JsonWriter, NumbersAndShape) {
  JsonWriter w;
  w.BeginObject();
  w.FieldDouble("d", 0.1);
  w.FieldDouble("nan", 0.0 / 0.0);
  w.Field("i", std::int64_t{-42});
  w.Key("empty");
  w.BeginArray();
  w.EndArray();
  w.Key("o");
  w.BeginObject();
  w.EndObject();
  w.Key("n");
  w.Null();
  w.EndObject();
  EXPECT_EQ(w.str(),
            "{\n  \"d\": 0.1,\n  \"nan\": null,\n  \"i\": -42,\n  \"empty\": [],\n  \"o\": {},\n"
            "  \"n\": null\n}\n");
  EXPECT_TRUE(nlohmann::json::accept(w.str()));
}

// Take trims a small document (thousands are kept at once, one rule file per object) and hands
// a large one over without a copy (a copy of a 13 MB config beside the original was the
// operator's peak memory).
TEST(YamlWriter, TakeTrimsSmallDocumentsAndMovesLargeOnes) {
  YamlWriter small;
  small.BeginMap();
  small.Key("a");
  small.String("b");
  small.EndMap();
  const std::string s = small.Take();
  EXPECT_EQ(s, "a: b\n");
  EXPECT_LT(s.capacity(), 64u);

  YamlWriter large;
  large.BeginSeq();
  for (int i = 0; i < 20000; ++i) large.String("item-" + std::to_string(i));
  large.EndSeq();
  const char* before = large.str().data();
  const std::size_t size = large.str().size();
  const std::string l = large.Take();
  EXPECT_EQ(l.data(), before) << "a large document is moved, not copied";
  EXPECT_EQ(l.size(), size);
  EXPECT_LE(l.capacity(), 2 * l.size());
}

TEST(JsonWriter, TakeTrimsSmallDocumentsAndMovesLargeOnes) {
  JsonWriter small;
  small.BeginObject();
  small.Field("a", 1);
  small.EndObject();
  const std::string s = small.Take();
  EXPECT_EQ(nlohmann::json::parse(s)["a"], 1);
  EXPECT_LT(s.capacity(), 64u);

  JsonWriter large;
  large.BeginArray();
  for (int i = 0; i < 20000; ++i) large.String("item-" + std::to_string(i));
  large.EndArray();
  const char* before = large.str().data();
  const std::string l = large.Take();
  EXPECT_EQ(l.data(), before) << "a large document is moved, not copied";
  EXPECT_LE(l.capacity(), 2 * l.size());
}

TEST(TextEscape, PromQlQuoted) {
  EXPECT_EQ(PromQlQuoted("default/shop"), "\"default/shop\"");
  EXPECT_EQ(PromQlQuoted("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(PromQlQuoted(std::string("x\0y", 3)), "\"x\\x00y\"");
  EXPECT_EQ(PromQlQuoted("\xFF"), "\"\\uFFFD\"");
}

TEST(TextEscape, RegexQuoteMetaAndLabelNames) {
  EXPECT_EQ(RegexQuoteMeta("a.b|c*(d)[e]{f}^$+?\\"),
            "a\\.b\\|c\\*\\(d\\)\\[e\\]\\{f\\}\\^\\$\\+\\?\\\\");
  EXPECT_EQ(SanitizeLabelName("app.kubernetes.io/name"), "app_kubernetes_io_name");
  EXPECT_EQ(SanitizeLabelName("a-b_c9"), "a_b_c9");
}

TEST(TextEscape, SafePathComponentIsInjectiveAndSafe) {
  const std::vector<std::string> inputs = {"",      ".",   "..",     "...", "a/b",
                                           "a%2Fb", "a_b", "a-b",    "A.b", "%",
                                           "\xFF",  "x y", "../etc", "%00", std::string(1, '\0')};
  std::set<std::string> outputs;
  for (const auto& in : inputs) {
    const std::string out = SafePathComponent(in);
    EXPECT_FALSE(out.empty());
    EXPECT_NE(out, ".");
    EXPECT_NE(out, "..");
    EXPECT_EQ(out.find('/'), std::string::npos) << in;
    EXPECT_TRUE(outputs.insert(out).second) << "collision for " << ::testing::PrintToString(in);
  }
  EXPECT_EQ(SafePathComponent("shop-db.v1"), "shop-db.v1");
}

TEST(TextEscape, IsPrintableUtf8) {
  EXPECT_TRUE(IsPrintableUtf8("Grüße", false));
  EXPECT_FALSE(IsPrintableUtf8("a\nb", false));
  EXPECT_TRUE(IsPrintableUtf8("a\nb", true));
  EXPECT_FALSE(IsPrintableUtf8("a\tb", true));
  EXPECT_FALSE(IsPrintableUtf8("\xFF", true));
  EXPECT_FALSE(IsPrintableUtf8("\xE2\x80\xA8", true));
}

}  // namespace
}  // namespace pulse::render
