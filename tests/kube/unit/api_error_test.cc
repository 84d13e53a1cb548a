#include "pulse/kube/api_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pulse/kube/watch_event.h"

namespace pulse::kube {
namespace {

std::string StatusBody(int code, const std::string& reason, const std::string& message,
                       const nlohmann::json& details = nullptr) {
  nlohmann::json j = {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                      {"code", code},     {"reason", reason},   {"message", message}};
  if (!details.is_null()) j["details"] = details;
  return j.dump();
}

TEST(ApiError, MapsStatusReasons) {
  struct Case {
    int code;
    std::string reason;
    Reason expected;
    bool retriable;
  };
  const Case cases[] = {
      {404, "NotFound", Reason::kNotFound, false},
      {409, "AlreadyExists", Reason::kAlreadyExists, false},
      {409, "Conflict", Reason::kConflict, false},
      {403, "Forbidden", Reason::kForbidden, false},
      {401, "Unauthorized", Reason::kUnauthorized, false},
      {422, "Invalid", Reason::kInvalid, false},
      {410, "Gone", Reason::kGone, false},
      {410, "Expired", Reason::kGone, false},
      {429, "TooManyRequests", Reason::kTooManyRequests, true},
      {500, "InternalError", Reason::kServerError, true},
      {503, "ServiceUnavailable", Reason::kServiceUnavailable, true},
      {504, "Timeout", Reason::kTimeout, true},
      {400, "BadRequest", Reason::kBadRequest, false},
      {415, "UnsupportedMediaType", Reason::kUnsupportedMediaType, false},
      {413, "RequestEntityTooLarge", Reason::kRequestTooLarge, false},
      {418, "", Reason::kUnknown, false},
      {502, "", Reason::kServerError, true},
      {404, "SomethingNew", Reason::kNotFound, false},  // unknown reason: the code decides
  };
  for (const auto& c : cases) {
    ApiError e = ErrorFromResponse(c.code, StatusBody(c.code, c.reason, "msg"), "", "GET /x");
    EXPECT_EQ(e.reason(), c.expected) << c.code << " " << c.reason;
    EXPECT_EQ(e.code(), c.code);
    EXPECT_EQ(e.Retriable(), c.retriable) << c.reason;
    EXPECT_EQ(e.status_reason(), c.reason);
    EXPECT_NE(std::string(e.what()).find("GET /x"), std::string::npos);
  }
}

TEST(ApiError, InvalidCarriesCauses) {
  const nlohmann::json details = {
      {"name", "x"},
      {"kind", "configmaps"},
      {"causes",
       {{{"reason", "FieldValueInvalid"}, {"message", "bad value"}, {"field", "metadata.name"}},
        {{"reason", "FieldValueRequired"}, {"message", "Required value"}, {"field", "data"}}}}};
  ApiError e = ErrorFromResponse(422, StatusBody(422, "Invalid", "nope", details), "", "POST /y");
  ASSERT_TRUE(IsInvalid(e));
  ASSERT_EQ(e.causes().size(), 2u);
  EXPECT_EQ(e.causes()[0].field, "metadata.name");
  EXPECT_EQ(e.causes()[1].type, "FieldValueRequired");
  EXPECT_NE(std::string(e.what()).find("metadata.name: bad value"), std::string::npos);
}

TEST(ApiError, RetryAfterFromHeaderOrDetails) {
  EXPECT_EQ(
      ErrorFromResponse(429, StatusBody(429, "TooManyRequests", "slow"), "7", "x").retry_after(),
      std::chrono::seconds(7));
  EXPECT_EQ(
      ErrorFromResponse(429, StatusBody(429, "TooManyRequests", "slow", {{"retryAfterSeconds", 3}}),
                        "", "x")
          .retry_after(),
      std::chrono::seconds(3));
  EXPECT_EQ(ErrorFromResponse(429, "", "soon", "x").retry_after(), std::nullopt);
  EXPECT_EQ(ErrorFromResponse(429, "", "-5", "x").retry_after(), std::nullopt);
  EXPECT_EQ(ErrorFromResponse(429, "", "99999999999", "x").retry_after(),
            std::chrono::seconds(3600))
      << "a hostile Retry-After is capped";
}

TEST(ApiError, NonStatusBodiesStillMapByCode) {
  ApiError html = ErrorFromResponse(502, "<html><body>Bad gateway</body></html>", "", "GET /z");
  EXPECT_EQ(html.reason(), Reason::kServerError);
  EXPECT_NE(std::string(html.what()).find("Bad gateway"), std::string::npos);
  ApiError truncated = ErrorFromResponse(404, R"({"kind":"Status","code":40)", "", "GET /z");
  EXPECT_EQ(truncated.reason(), Reason::kNotFound);
  std::string huge(5 << 20, 'A');
  ApiError big = ErrorFromResponse(500, huge, "", "GET /z");
  EXPECT_LT(std::string(big.what()).size(), 400u) << "the message must stay bounded";
  ApiError wrong_types = ErrorFromResponse(
      409, R"({"kind":"Status","code":"x","reason":7,"details":{"causes":"no"}})", "", "x");
  EXPECT_EQ(wrong_types.reason(), Reason::kConflict);
}

TEST(ApiError, WatchErrorStatus) {
  auto status = nlohmann::json::parse(StatusBody(410, "Expired", "too old resource version"));
  ApiError e = ErrorFromStatus(status, "watch");
  EXPECT_TRUE(IsGone(e));
  EXPECT_EQ(e.code(), 410);
  EXPECT_EQ(ErrorFromStatus(nlohmann::json::array(), "watch").reason(), Reason::kBadResponse);
  auto codeonly = nlohmann::json{{"kind", "Status"}, {"code", 410}};
  EXPECT_TRUE(IsGone(ErrorFromStatus(codeonly, "watch")));
}

TEST(WatchEvent, DecodesKnownAndUnknownTypes) {
  auto ev = ParseWatchEvent(R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})");
  EXPECT_EQ(ev.type, WatchEventType::kAdded);
  EXPECT_EQ(ev.object["metadata"]["name"], "a");
  EXPECT_EQ(ParseWatchEvent(R"({"type":"MODIFIED","object":{}})").type, WatchEventType::kModified);
  EXPECT_EQ(ParseWatchEvent(R"({"type":"DELETED","object":{}})").type, WatchEventType::kDeleted);
  EXPECT_EQ(ParseWatchEvent(R"({"type":"BOOKMARK","object":{}})").type, WatchEventType::kBookmark);
  EXPECT_EQ(ParseWatchEvent(R"({"type":"ERROR","object":{}})").type, WatchEventType::kError);
  auto unknown = ParseWatchEvent(R"({"type":"TELEPORTED","object":{}})");
  EXPECT_EQ(unknown.type, WatchEventType::kUnknown);
  EXPECT_EQ(unknown.raw_type, "TELEPORTED");
}

TEST(WatchEvent, RejectsMalformedLines) {
  const char* bad[] = {
      R"({"type":"ADDED","object":{"metadata":{"na)",  // truncated
      "null",
      "[1,2]",
      R"({"object":{}})",
      R"({"type":5,"object":{}})",
      R"({"type":"ADDED"})",
      R"({"type":"ADDED","object":"x"})",
      "\xff\xfe garbage",
  };
  for (const char* line : bad) {
    try {
      ParseWatchEvent(line);
      ADD_FAILURE() << "accepted: " << line;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.reason(), Reason::kBadResponse) << line;
    }
  }
}

}  // namespace
}  // namespace pulse::kube
