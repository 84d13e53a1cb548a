// Redis RED against the real Redis (fixture redis).
#include "pulse/red/redis_client.h"

#include <gtest/gtest.h>

#include "exposition.h"
#include "pulse/testenv/testenv.h"

namespace pulse::red {
namespace {

using testing::Expose;
using testing::Sample;

RedisClientOptions RealRedis() {
  RedisClientOptions o;
  o.host = pulse::testenv::Get("redis", "HOST");
  o.port = std::stoi(pulse::testenv::Get("redis", "PORT"));
  return o;
}

TEST(RedisClient, CountsEachCommandAndExactlyOneErrorForAWrongTypeCommand) {
  auto metrics = std::make_shared<RedisMetrics>();
  RedisClient redis(RealRedis(), metrics);
  ASSERT_TRUE(redis.Command({"DEL", "pulse:test:list", "pulse:test:str"}).ok());
  EXPECT_EQ(redis.Command({"SET", "pulse:test:str", "v1"}).str, "OK");
  const RedisReply got = redis.Command({"get", "pulse:test:str"});  // lower case is the same
  EXPECT_EQ(got.type, RedisReply::Type::kString);
  EXPECT_EQ(got.str, "v1");
  EXPECT_TRUE(redis.Command({"GET", "pulse:test:missing"}).is_nil());
  EXPECT_EQ(redis.Command({"RPUSH", "pulse:test:list", "a", "b"}).integer, 2);
  const RedisReply wrong = redis.Command({"INCR", "pulse:test:list"});  // WRONGTYPE
  EXPECT_EQ(wrong.type, RedisReply::Type::kError);
  EXPECT_EQ(wrong.str.rfind("WRONGTYPE", 0), 0u) << wrong.str;
  // Binary-safe arguments round-trip.
  const std::string binary("a\0b\r\n", 5);
  ASSERT_TRUE(redis.Command({"SET", "pulse:test:str", binary}).ok());
  EXPECT_EQ(redis.Command({"GET", "pulse:test:str"}).str, binary);

  const std::string t = Expose(*metrics);
  EXPECT_EQ(Sample(t, R"(redis_command_duration_seconds_count{command="GET"})"), 3);
  EXPECT_EQ(Sample(t, R"(redis_command_duration_seconds_count{command="SET"})"), 2);
  EXPECT_EQ(Sample(t, R"(redis_command_duration_seconds_count{command="INCR"})"), 1);
  EXPECT_EQ(Sample(t, R"(redis_command_duration_seconds_count{command="DEL"})"), 1);
  EXPECT_EQ(Sample(t, R"(redis_command_errors_total{command="INCR",error_type="WRONGTYPE"})"), 1);
  // Exactly one error series, with value 1: the wrong-type command and nothing else.
  std::size_t error_lines = 0;
  for (std::size_t p = t.find("\nredis_command_errors_total{"); p != std::string::npos;
       p = t.find("\nredis_command_errors_total{", p + 1)) {
    ++error_lines;
  }
  EXPECT_EQ(error_lines, 1u) << t;
  EXPECT_GT(*Sample(t, R"(redis_command_duration_seconds_sum{command="GET"})"), 0);
}

TEST(RedisClient, UnknownCommandsFoldIntoOther) {
  auto metrics = std::make_shared<RedisMetrics>();
  RedisClient redis(RealRedis(), metrics);
  const RedisReply r = redis.Command({"NOSUCHCOMMAND-user-data-123", "x"});
  EXPECT_EQ(r.type, RedisReply::Type::kError);
  const std::string t = Expose(*metrics);
  EXPECT_EQ(Sample(t, R"(redis_command_errors_total{command="OTHER",error_type="ERR"})"), 1);
  EXPECT_EQ(t.find("NOSUCHCOMMAND"), std::string::npos);
}

TEST(RedisClient, ConnectionFailureIsOneIoErrorAndRecovers) {
  auto metrics = std::make_shared<RedisMetrics>();
  RedisClientOptions dead = RealRedis();
  dead.port = 1;  // nothing listens on port 1
  RedisClient broken(dead, metrics);
  const RedisReply r = broken.Command({"PING"});
  EXPECT_EQ(r.type, RedisReply::Type::kIoError);
  EXPECT_NE(r.str.find(":1:"), std::string::npos) << r.str;  // names the address
  EXPECT_FALSE(broken.connected());
  EXPECT_EQ(
      Sample(Expose(*metrics), R"(redis_command_errors_total{command="PING",error_type="io"})"), 1);

  // A connection the server closes is re-established on the next command.
  RedisClient redis(RealRedis(), metrics);
  ASSERT_TRUE(redis.Command({"CLIENT", "SETNAME", "pulse-red-test"}).ok());
  RedisClient admin(RealRedis(), metrics);
  ASSERT_TRUE(admin.Command({"CLIENT", "KILL", "SKIPME", "yes", "TYPE", "normal"}).ok());
  const RedisReply after_kill = redis.Command({"PING"});  // fails once: the socket was closed
  const RedisReply again = redis.Command({"PING"});
  EXPECT_EQ(again.str, "PONG");
  const std::string t = Expose(*metrics);
  const double io = after_kill.ok() ? 0 : 1;
  EXPECT_EQ(Sample(t, R"(redis_command_errors_total{command="PING",error_type="io"})"), 1 + io);
  EXPECT_FALSE(redis.Command({}).ok());  // empty command: rejected, not sent
}

}  // namespace
}  // namespace pulse::red
