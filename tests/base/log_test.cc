#include "pulse/base/log.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "pulse/base/clock.h"

namespace pulse::base {
namespace {

using namespace std::chrono_literals;

// 2026-01-01T00:00:00Z plus 1.5 s.
const std::chrono::system_clock::time_point kTime =
    std::chrono::sys_days{std::chrono::year{2026} / 1 / 1} + 1500ms;

TEST(LogFormat, JsonLine) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, kTime, LogLevel::kInfo, "target is up",
                          {{"target", "rmq"}, {"attempts", 3}, {"ratio", 0.5}, {"tls", true}}),
            "{\"ts\":\"2026-01-01T00:00:01.500Z\",\"level\":\"info\",\"msg\":\"target is up\","
            "\"target\":\"rmq\",\"attempts\":3,\"ratio\":0.500000,\"tls\":true}\n");
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, kTime, LogLevel::kError, "x"),
            "{\"ts\":\"2026-01-01T00:00:01.500Z\",\"level\":\"error\",\"msg\":\"x\"}\n");
}

TEST(LogFormat, TextLine) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kTime, LogLevel::kWarn, "refresh failed",
                          {{"target", "pg-main"}, {"reason", "connection refused"}, {"n", 2}}),
            "2026-01-01T00:00:01.500Z warn refresh failed target=pg-main "
            "reason=\"connection refused\" n=2\n");
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kTime, LogLevel::kDebug, "", {{"empty", ""}}),
            "2026-01-01T00:00:01.500Z debug  empty=\"\"\n");
}

TEST(LogFormat, JsonEscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, kTime, LogLevel::kInfo,
                          "say \"hi\"\\\n\r\t\b\f\x01\x1f\x7f end", {{"k\"ey", "a\nb"}}),
            "{\"ts\":\"2026-01-01T00:00:01.500Z\",\"level\":\"info\","
            "\"msg\":\"say \\\"hi\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f end\","
            "\"k\\\"ey\":\"a\\nb\"}\n");
  // A NUL inside the message is escaped, not a terminator.
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, kTime, LogLevel::kInfo, std::string_view("a\0b", 3)),
            "{\"ts\":\"2026-01-01T00:00:01.500Z\",\"level\":\"info\",\"msg\":\"a\\u0000b\"}\n");
}

TEST(LogFormat, Utf8IsKeptAndInvalidBytesAreReplaced) {
  // Valid: 2-, 3- and 4-byte sequences pass through unchanged.
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, kTime, LogLevel::kInfo, "Grüße € 😀"),
            "{\"ts\":\"2026-01-01T00:00:01.500Z\",\"level\":\"info\",\"msg\":\"Grüße € 😀\"}\n");
  // Invalid: a lone continuation byte, a truncated sequence, an overlong '/', a surrogate and
  // 0xFF each become U+FFFD (one per byte), so the line is still valid JSON.
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, kTime, LogLevel::kInfo,
                          "a\x80 b\xE2\x82 c\xC0\xAF d\xED\xA0\x80 e\xFF"),
            "{\"ts\":\"2026-01-01T00:00:01.500Z\",\"level\":\"info\",\"msg\":\"a\xEF\xBF\xBD "
            "b\xEF\xBF\xBD\xEF\xBF\xBD c\xEF\xBF\xBD\xEF\xBF\xBD "
            "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD e\xEF\xBF\xBD\"}\n");
}

TEST(LogFormat, TextKeepsEachEntryOnOneLine) {
  // Free-text message: quotes stay, line breaks are escaped. Values with spaces, '=', quotes or
  // non-ASCII are quoted and escaped so key=value pairs cannot be forged.
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kTime, LogLevel::kInfo, "bad \"x\"\nfake line",
                          {{"v", "a=b"}, {"q", "say \"hi\""}, {"u", "Grüße"}, {"nl", "x\ny"}}),
            "2026-01-01T00:00:01.500Z info bad \"x\"\\nfake line v=\"a=b\" "
            "q=\"say \\\"hi\\\"\" u=\"Grüße\" nl=\"x\\ny\"\n");
}

TEST(LogFormat, TimestampsBefore1970AndMilliseconds) {
  const auto t = std::chrono::system_clock::time_point{} - 1ms;
  EXPECT_EQ(FormatLogLine(LogFormat::kText, t, LogLevel::kInfo, "m"),
            "1969-12-31T23:59:59.999Z info m\n");
}

TEST(LogLevelNames, ParseAndName) {
  LogLevel level = LogLevel::kInfo;
  EXPECT_TRUE(ParseLogLevel("debug", &level));
  EXPECT_EQ(level, LogLevel::kDebug);
  EXPECT_TRUE(ParseLogLevel("error", &level));
  EXPECT_EQ(LogLevelName(level), "error");
  EXPECT_FALSE(ParseLogLevel("verbose", &level));
  LogFormat format = LogFormat::kJson;
  EXPECT_TRUE(ParseLogFormat("text", &format));
  EXPECT_EQ(format, LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("xml", &format));
}

// The global logger: captured through SetLogWriter, stamped by a FakeClock.
class LoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogClock(&clock_);
    SetLogWriter([this](std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override {
    SetLogWriter(nullptr);
    SetLogClock(nullptr);
    SetLogFormat(LogFormat::kJson);
    SetLogLevel(LogLevel::kInfo);
    SetLogQuiet(false);
  }
  FakeClock clock_;
  std::vector<std::string> lines_;  // written under the logger's mutex
};

TEST_F(LoggerTest, DefaultIsJsonAtInfo) {
  clock_.Advance(2s);
  LogDebug("hidden");
  LogInfo("shown", {{"k", "v"}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0],
            "{\"ts\":\"2026-01-01T00:00:02.000Z\",\"level\":\"info\",\"msg\":\"shown\","
            "\"k\":\"v\"}\n");
}

TEST_F(LoggerTest, LevelFormatAndQuiet) {
  SetLogFormat(LogFormat::kText);
  SetLogLevel(LogLevel::kWarn);
  LogInfo("dropped");
  LogWarn("kept");
  SetLogLevel(LogLevel::kDebug);
  LogDebug("debug now", {{"n", 1}});
  SetLogQuiet(true);
  LogError("silenced too");
  EXPECT_FALSE(LogEnabled(LogLevel::kError));
  SetLogQuiet(false);
  EXPECT_EQ(lines_, (std::vector<std::string>{"2026-01-01T00:00:00.000Z warn kept\n",
                                              "2026-01-01T00:00:00.000Z debug debug now n=1\n"}));
}

TEST_F(LoggerTest, ConcurrentLinesNeverInterleave) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) LogInfo("line", {{"thread", t}, {"i", i}});
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(lines_.size(), 800u);
  for (const auto& line : lines_) {
    EXPECT_EQ(line.rfind("{\"ts\":", 0), 0u) << line;
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  }
}

}  // namespace
}  // namespace pulse::base
