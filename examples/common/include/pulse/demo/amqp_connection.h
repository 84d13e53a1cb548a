// One AMQP 0-9-1 connection to RabbitMQ through rabbitmq-c (librabbitmq): connect, declare
// topology, publish with publisher confirms, consume with manual acknowledgements, close.
//
// Why a wrapper: rabbitmq-c is a C API with manual memory pools, reply structs and status codes
// to check after every call. This class turns that into RAII and exceptions whose message carries
// the broker's reply text (e.g. "404 NOT_FOUND - no queue 'x' in vhost '/'"), so the demo shop,
// its consumer and the tests share one tested client instead of hand-written framing.
//
// The connection uses one channel (1). It is put into confirm mode on connect, so every Publish
// waits for the broker's basic.ack; a basic.nack, a basic.return (unroutable with mandatory) or a
// timeout is an error.
//
// Not thread-safe: rabbitmq-c's connection state is not, so use one Connection per thread (or
// guard it with a mutex, as the shop's order publisher does). After any AmqpError the broker has
// usually closed the channel or connection: discard the Connection and open a new one.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

// rabbitmq-c's types, forward-declared so this header does not pull in <amqp.h>.
struct amqp_rpc_reply_t_;
struct amqp_frame_t_;

namespace pulse::demo::amqp {

// Every failure: network, protocol, broker refusal (with its reply code and text), timeout.
class AmqpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConnectionOptions {
  std::string host = "127.0.0.1";
  int port = 5672;
  std::string vhost = "/";
  std::string user = "guest";
  std::string password = "guest";
  // TCP connect + AMQP handshake (login).
  std::chrono::milliseconds connect_timeout{10000};
  // Each synchronous method (declare, bind, consume, ...) and each publish confirm.
  std::chrono::milliseconds rpc_timeout{10000};
};

// "amqp://user:password@host:port/vhost" (percent-encoding allowed, as in RabbitMQ's URI spec).
// An empty path means the default vhost "/" (spell "/" as %2F to be explicit). Throws
// std::invalid_argument naming the URL.
ConnectionOptions ParseUrl(const std::string& url);

// Queue/exchange arguments such as {"x-dead-letter-exchange", "dlx"} or {"x-message-ttl", 50}.
using ArgumentValue = std::variant<std::string, std::int64_t>;
using Arguments = std::vector<std::pair<std::string, ArgumentValue>>;

struct Delivery {
  std::uint64_t delivery_tag = 0;
  std::string exchange;
  std::string routing_key;
  std::string body;
  bool redelivered = false;
};

struct PublishOptions {
  std::string content_type = "application/json";
  bool persistent = true;  // delivery_mode 2
  // The broker returns a message no queue takes; Publish then throws instead of losing it.
  bool mandatory = true;
};

class Connection {
 public:
  // Connects, logs in, opens channel 1 and selects publisher confirms. Throws AmqpError.
  explicit Connection(const ConnectionOptions& options);
  ~Connection();  // closes channel and connection; unacknowledged deliveries return to queues
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Declarations are idempotent when repeated with the same properties; a mismatch is a
  // "406 PRECONDITION_FAILED" AmqpError.
  void DeclareExchange(const std::string& name, const std::string& type, bool durable = true);
  void DeclareQueue(const std::string& name, const Arguments& arguments = {}, bool durable = true);
  void Bind(const std::string& queue, const std::string& exchange, const std::string& routing_key);
  // Deletes even when in use or not empty (tests clean up after themselves with these).
  void DeleteQueue(const std::string& name);
  void DeleteExchange(const std::string& name);
  // Removes the ready messages of `queue`; returns how many.
  std::uint32_t Purge(const std::string& queue);
  // Ready messages in `queue` (a passive declare). A missing queue is a 404 AmqpError.
  std::uint32_t MessageCount(const std::string& queue);

  // Publishes and waits until the broker confirms it (basic.ack). Throws AmqpError on nack,
  // return (unroutable) or when no confirm arrives within rpc_timeout.
  void Publish(const std::string& exchange, const std::string& routing_key, const std::string& body,
               const PublishOptions& options = {});

  // Starts consuming `queue` with manual acknowledgement; at most `prefetch` deliveries are
  // unacknowledged at once (0: unlimited).
  void Consume(const std::string& queue, std::uint16_t prefetch);
  // The next delivery, or nullopt if none arrived within `timeout`.
  std::optional<Delivery> Next(std::chrono::milliseconds timeout);
  // One message from `queue` without a consumer (basic.get), or nullopt if it is empty. It must
  // be acknowledged like a delivery.
  std::optional<Delivery> Get(const std::string& queue);

  void Ack(std::uint64_t delivery_tag);
  // requeue=false dead-letters the message when its queue has a dead-letter exchange.
  void Nack(std::uint64_t delivery_tag, bool requeue);
  void Reject(std::uint64_t delivery_tag, bool requeue);

  // Closes cleanly (channel.close, connection.close) when still usable, never throws; the
  // destructor calls it. Later calls throw AmqpError.
  void Close();

 private:
  struct State;
  // Throws if a previous error left the connection unusable.
  void CheckUsable() const;
  // Reads one message body after a basic.deliver/basic.get-ok/basic.return.
  std::string ReadBody();
  // Handles a method frame that arrived while waiting for something else: buffers deliveries,
  // turns channel/connection close and consumer cancel into AmqpError.
  void HandleAsync(const amqp_frame_t_& frame);
  // Throws AmqpError (with the broker's reply code and text) unless `reply` is normal; the
  // connection is unusable afterwards.
  void Check(const amqp_rpc_reply_t_& reply, const std::string& what);
  [[noreturn]] void Fail(const std::string& what);

  std::unique_ptr<State> state_;
  ConnectionOptions options_;
  std::uint64_t published_ = 0;    // publish sequence number in confirm mode
  std::deque<Delivery> buffered_;  // deliveries read while waiting for a confirm
  std::string broken_;             // why the connection became unusable
};

}  // namespace pulse::demo::amqp
