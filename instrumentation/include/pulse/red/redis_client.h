// A thin instrumented Redis client over hiredis: every command is timed and counted in a shared
// RedisMetrics (redis_command_duration_seconds, redis_command_errors_total).
//
// Not thread-safe: one RedisClient is one connection; use one per thread (or a pool) and share
// the RedisMetrics between them. hiredis types stay out of this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pulse/red/redis_metrics.h"

namespace pulse::red {

// An owned copy of a Redis reply.
struct RedisReply {
  enum class Type { kString, kStatus, kInteger, kNil, kArray, kError, kIoError };
  Type type = Type::kNil;
  std::string str;  // string/status payload, error message, or I/O error description
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool ok() const noexcept { return type != Type::kError && type != Type::kIoError; }
  bool is_nil() const noexcept { return type == Type::kNil; }
};

struct RedisClientOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{500};
};

class RedisClient {
 public:
  // Does not connect yet: the first command does, and a broken connection is re-established on
  // the next command. `metrics` must not be null.
  RedisClient(RedisClientOptions options, std::shared_ptr<RedisMetrics> metrics);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends one command (binary-safe arguments, argv[0] is the command name) and waits for its
  // reply. Never throws for Redis or network failures: they come back as kError / kIoError and
  // are counted once in redis_command_errors_total. An empty argv is an kIoError, not counted.
  RedisReply Command(const std::vector<std::string_view>& argv);
  RedisReply Command(std::initializer_list<std::string_view> argv) {
    return Command(std::vector<std::string_view>(argv));
  }

  bool connected() const noexcept;

 private:
  struct Connection;
  bool EnsureConnected(std::string* error);

  RedisClientOptions options_;
  std::shared_ptr<RedisMetrics> metrics_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace pulse::red
