// Connection pools for the demo services' backends: Redis (through pulse-red's instrumented
// client, so every call shows up in redis_command_*) and PostgreSQL (libpq).
//
// Thread-safe: Acquire/Exec may be called from any handler thread; each lease is used by one
// thread at a time and goes back to the pool when it is destroyed.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pulse/red/redis_client.h"

namespace pulse::demo {

class RedisPool {
 public:
  RedisPool(red::RedisClientOptions options, std::shared_ptr<red::RedisMetrics> metrics);

  class Lease {
   public:
    Lease(RedisPool* pool, std::unique_ptr<red::RedisClient> client)
        : pool_(pool), client_(std::move(client)) {}
    Lease(Lease&&) = default;
    ~Lease();
    red::RedisClient* operator->() { return client_.get(); }

   private:
    RedisPool* pool_;
    std::unique_ptr<red::RedisClient> client_;
  };
  Lease Acquire();

  // One command on a pooled connection.
  red::RedisReply Command(std::initializer_list<std::string_view> argv) {
    return Acquire()->Command(argv);
  }

 private:
  red::RedisClientOptions options_;
  std::shared_ptr<red::RedisMetrics> metrics_;
  std::mutex mu_;
  std::vector<std::unique_ptr<red::RedisClient>> idle_;
};

// A row of text values; SQL NULL is an empty string.
using PgRow = std::vector<std::string>;

class PgPool {
 public:
  explicit PgPool(std::string dsn);
  ~PgPool();
  // Runs one statement with text parameters ($1, $2, ...). Throws std::runtime_error with the
  // server's message when the statement fails or the server cannot be reached.
  std::vector<PgRow> Exec(const std::string& sql, const std::vector<std::string>& params = {});

 private:
  struct Conn;
  std::unique_ptr<Conn> Take();
  void Give(std::unique_ptr<Conn> c);

  std::string dsn_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_;
};

}  // namespace pulse::demo
