#include "pulse/red/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <stdexcept>

namespace pulse::red {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// RESP2 reply types only: Debian's hiredis 0.14 predates RESP3.
RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

RedisReply IoError(std::string message) {
  RedisReply out;
  out.type = RedisReply::Type::kIoError;
  out.str = std::move(message);
  return out;
}

}  // namespace

struct RedisClient::Connection {
  explicit Connection(redisContext* c) : ctx(c) {}
  ~Connection() { redisFree(ctx); }
  redisContext* ctx;
};

RedisClient::RedisClient(RedisClientOptions options, std::shared_ptr<RedisMetrics> metrics)
    : options_(std::move(options)), metrics_(std::move(metrics)) {
  if (!metrics_) throw std::invalid_argument("redis client: metrics must not be null");
}

RedisClient::~RedisClient() = default;

bool RedisClient::connected() const noexcept { return conn_ && conn_->ctx->err == 0; }

bool RedisClient::EnsureConnected(std::string* error) {
  if (conn_ && conn_->ctx->err == 0) return true;
  conn_.reset();
  const timeval connect_timeout = ToTimeval(options_.connect_timeout);
  redisContext* ctx =
      redisConnectWithTimeout(options_.host.c_str(), options_.port, connect_timeout);
  if (ctx == nullptr) {
    *error = "redis " + options_.host + ":" + std::to_string(options_.port) +
             ": cannot allocate a connection";
    return false;
  }
  auto conn = std::make_unique<Connection>(ctx);
  if (ctx->err != 0) {
    *error = "redis " + options_.host + ":" + std::to_string(options_.port) + ": " + ctx->errstr;
    return false;
  }
  if (redisSetTimeout(ctx, ToTimeval(options_.command_timeout)) != REDIS_OK) {
    *error = "redis " + options_.host + ":" + std::to_string(options_.port) +
             ": cannot set the command timeout";
    return false;
  }
  conn_ = std::move(conn);
  return true;
}

RedisReply RedisClient::Command(const std::vector<std::string_view>& argv) {
  if (argv.empty()) return IoError("redis client: empty command");
  const std::size_t command = RedisCommandIndex(argv[0]);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::steady_clock::now() - start; };

  std::string error;
  if (!EnsureConnected(&error)) {
    metrics_->RecordError(command, RedisIoErrorType(), elapsed());
    return IoError(std::move(error));
  }
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (std::string_view a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(conn_->ctx, static_cast<int>(args.size()), args.data(), lens.data()));
  if (reply == nullptr) {
    std::string message = "redis " + options_.host + ":" + std::to_string(options_.port) + ": " +
                          (conn_->ctx->err != 0 ? conn_->ctx->errstr : "no reply");
    metrics_->RecordError(command, RedisIoErrorType(), elapsed());
    conn_.reset();  // hiredis contexts are unusable after an I/O error
    return IoError(std::move(message));
  }
  RedisReply out = Convert(reply);
  freeReplyObject(reply);
  if (out.type == RedisReply::Type::kError) {
    metrics_->RecordError(command, RedisErrorTypeIndex(out.str), elapsed());
  } else {
    metrics_->RecordSuccess(command, elapsed());
  }
  return out;
}

}  // namespace pulse::red
