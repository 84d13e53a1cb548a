#include "pulse/demo/amqp_connection.h"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <algorithm>

namespace pulse::demo::amqp {
namespace {

constexpr amqp_channel_t kChannel = 1;
// rabbitmq-c's default frame size; RabbitMQ accepts up to 128 KiB per frame without tuning.
constexpr int kFrameMax = 131072;

timeval ToTimeval(std::chrono::milliseconds ms) {
  ms = std::max(ms, std::chrono::milliseconds(0));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

timeval Remaining(std::chrono::steady_clock::time_point deadline) {
  return ToTimeval(std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now()));
}

std::string Str(amqp_bytes_t b) {
  return b.len == 0 ? std::string() : std::string(static_cast<const char*>(b.bytes), b.len);
}

amqp_bytes_t Bytes(const std::string& s) { return amqp_cstring_bytes(s.c_str()); }

// basic.deliver and basic.get-ok carry the same envelope fields; the body follows separately.
template <typename Method>
Delivery Envelope(const Method& m) {
  Delivery d;
  d.delivery_tag = m.delivery_tag;
  d.exchange = Str(m.exchange);
  d.routing_key = Str(m.routing_key);
  d.redelivered = m.redelivered != 0;
  return d;
}

std::string Quote(const std::string& name) { return "'" + name + "'"; }

// Builds an amqp_table_t that points into `args` (which must outlive it) and `entries`.
amqp_table_t Table(const Arguments& args, std::vector<amqp_table_entry_t>& entries) {
  entries.clear();
  for (const auto& [key, value] : args) {
    amqp_table_entry_t e{};
    e.key = Bytes(key);
    if (const auto* s = std::get_if<std::string>(&value)) {
      e.value.kind = AMQP_FIELD_KIND_UTF8;
      e.value.value.bytes = Bytes(*s);
    } else {
      e.value.kind = AMQP_FIELD_KIND_I64;
      e.value.value.i64 = std::get<std::int64_t>(value);
    }
    entries.push_back(e);
  }
  amqp_table_t table{};
  table.num_entries = static_cast<int>(entries.size());
  table.entries = entries.empty() ? nullptr : entries.data();
  return table;
}

}  // namespace

struct Connection::State {
  amqp_connection_state_t conn = amqp_new_connection();
  bool open = false;  // logged in and channel opened: Close() has something to close
  ~State() {
    if (conn != nullptr) amqp_destroy_connection(conn);  // also closes the socket
  }
};

ConnectionOptions ParseUrl(const std::string& url) {
  std::string copy = url;  // amqp_parse_url decodes in place and points into its argument
  amqp_connection_info info{};
  amqp_default_connection_info(&info);
  if (amqp_parse_url(copy.data(), &info) != AMQP_STATUS_OK) {
    throw std::invalid_argument("\"" + url +
                                "\" is not an AMQP URL (amqp://user:password@host:port/vhost)");
  }
  if (info.ssl != 0) {
    throw std::invalid_argument("\"" + url + "\": amqps:// (TLS) is not supported by the demo");
  }
  ConnectionOptions o;
  o.host = info.host;
  o.port = info.port;
  o.user = info.user;
  o.password = info.password;
  // RabbitMQ has no "" vhost; "amqp://host:5672/" is what people write for the default one.
  o.vhost = (info.vhost == nullptr || *info.vhost == '\0') ? "/" : info.vhost;
  return o;
}

Connection::Connection(const ConnectionOptions& options)
    : state_(std::make_unique<State>()), options_(options) {
  const std::string where = options.host + ":" + std::to_string(options.port);
  if (state_->conn == nullptr) throw AmqpError("amqp: out of memory creating a connection");
  amqp_socket_t* socket = amqp_tcp_socket_new(state_->conn);
  if (socket == nullptr) throw AmqpError("amqp: cannot create a TCP socket");
  timeval connect = ToTimeval(options.connect_timeout);
  const int rc = amqp_socket_open_noblock(socket, options.host.c_str(), options.port, &connect);
  if (rc != AMQP_STATUS_OK) {
    throw AmqpError("amqp: connect " + where + ": " + amqp_error_string2(rc));
  }
  amqp_set_handshake_timeout(state_->conn, &connect);
  timeval rpc = ToTimeval(options.rpc_timeout);
  amqp_set_rpc_timeout(state_->conn, &rpc);
  // No heartbeats: the demo's connections are short-lived or read continuously, and rabbitmq-c
  // only sends heartbeats from inside its own calls anyway.
  Check(amqp_login(state_->conn, options.vhost.c_str(), 0, kFrameMax, 0, AMQP_SASL_METHOD_PLAIN,
                   options.user.c_str(), options.password.c_str()),
        "login to " + where + " vhost " + Quote(options.vhost) + " as " + Quote(options.user));
  amqp_channel_open(state_->conn, kChannel);
  Check(amqp_get_rpc_reply(state_->conn), "open channel");
  state_->open = true;
  amqp_confirm_select(state_->conn, kChannel);
  Check(amqp_get_rpc_reply(state_->conn), "select publisher confirms");
}

Connection::~Connection() { Close(); }

void Connection::Close() {
  if (!state_ || state_->conn == nullptr) return;
  if (state_->open && broken_.empty()) {
    // Best effort: a clean close lets the broker requeue at once instead of on socket loss.
    amqp_channel_close(state_->conn, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_->conn, AMQP_REPLY_SUCCESS);
  }
  state_->open = false;
  amqp_destroy_connection(state_->conn);
  state_->conn = nullptr;
  if (broken_.empty()) broken_ = "closed";
}

void Connection::CheckUsable() const {
  if (!broken_.empty()) throw AmqpError("amqp: connection unusable: " + broken_);
}

void Connection::Fail(const std::string& what) {
  broken_ = what;
  throw AmqpError("amqp: " + what);
}

void Connection::Check(const amqp_rpc_reply_t_& reply, const std::string& what) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return;
    case AMQP_RESPONSE_NONE:
      Fail(what + ": no reply from the broker");
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      Fail(what + ": " + amqp_error_string2(reply.library_error));
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      break;
  }
  amqp_connection_state_t conn = state_->conn;
  if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* m = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
    const std::string text = std::to_string(m->reply_code) + " " + Str(m->reply_text);
    amqp_connection_close_ok_t ok{};
    amqp_send_method(conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
    state_->open = false;
    Fail(what + ": broker closed the connection: " + text);
  }
  if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* m = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
    const std::string text = std::to_string(m->reply_code) + " " + Str(m->reply_text);
    amqp_channel_close_ok_t ok{};
    amqp_send_method(conn, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    state_->open = false;
    Fail(what + ": broker closed the channel: " + text);
  }
  Fail(what + ": unexpected " + amqp_method_name(reply.reply.id));
}

std::string Connection::ReadBody() {
  amqp_message_t message{};
  const amqp_rpc_reply_t reply = amqp_read_message(state_->conn, kChannel, &message, 0);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) Check(reply, "read message content");
  std::string body = Str(message.body);
  amqp_destroy_message(&message);
  return body;
}

void Connection::HandleAsync(const amqp_frame_t_& frame) {
  if (frame.frame_type != AMQP_FRAME_METHOD) return;
  switch (frame.payload.method.id) {
    case AMQP_BASIC_DELIVER_METHOD: {
      Delivery delivery =
          Envelope(*static_cast<const amqp_basic_deliver_t*>(frame.payload.method.decoded));
      delivery.body = ReadBody();
      buffered_.push_back(std::move(delivery));
      return;
    }
    case AMQP_CHANNEL_CLOSE_METHOD:
    case AMQP_CONNECTION_CLOSE_METHOD: {
      amqp_rpc_reply_t reply{};
      reply.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
      reply.reply = frame.payload.method;
      Check(reply, "waiting for the broker");  // throws: a close is never a normal reply
      return;
    }
    case AMQP_BASIC_CANCEL_METHOD:
      Fail("the broker cancelled the consumer (queue deleted?)");
    default:
      return;  // e.g. a late confirm for an earlier publish
  }
}

void Connection::DeclareExchange(const std::string& name, const std::string& type, bool durable) {
  CheckUsable();
  amqp_exchange_declare(state_->conn, kChannel, Bytes(name), Bytes(type), 0, durable ? 1 : 0, 0, 0,
                        amqp_empty_table);
  Check(amqp_get_rpc_reply(state_->conn), "declare exchange " + Quote(name));
}

void Connection::DeclareQueue(const std::string& name, const Arguments& arguments, bool durable) {
  CheckUsable();
  std::vector<amqp_table_entry_t> entries;
  amqp_queue_declare(state_->conn, kChannel, Bytes(name), 0, durable ? 1 : 0, 0, 0,
                     Table(arguments, entries));
  Check(amqp_get_rpc_reply(state_->conn), "declare queue " + Quote(name));
}

void Connection::Bind(const std::string& queue, const std::string& exchange,
                      const std::string& routing_key) {
  CheckUsable();
  amqp_queue_bind(state_->conn, kChannel, Bytes(queue), Bytes(exchange), Bytes(routing_key),
                  amqp_empty_table);
  Check(amqp_get_rpc_reply(state_->conn),
        "bind queue " + Quote(queue) + " to exchange " + Quote(exchange));
}

void Connection::DeleteQueue(const std::string& name) {
  CheckUsable();
  amqp_queue_delete(state_->conn, kChannel, Bytes(name), 0, 0);
  Check(amqp_get_rpc_reply(state_->conn), "delete queue " + Quote(name));
}

void Connection::DeleteExchange(const std::string& name) {
  CheckUsable();
  amqp_exchange_delete(state_->conn, kChannel, Bytes(name), 0);
  Check(amqp_get_rpc_reply(state_->conn), "delete exchange " + Quote(name));
}

std::uint32_t Connection::Purge(const std::string& queue) {
  CheckUsable();
  const amqp_queue_purge_ok_t* ok = amqp_queue_purge(state_->conn, kChannel, Bytes(queue));
  Check(amqp_get_rpc_reply(state_->conn), "purge queue " + Quote(queue));
  return ok->message_count;
}

std::uint32_t Connection::MessageCount(const std::string& queue) {
  CheckUsable();
  const amqp_queue_declare_ok_t* ok =
      amqp_queue_declare(state_->conn, kChannel, Bytes(queue), 1, 0, 0, 0, amqp_empty_table);
  Check(amqp_get_rpc_reply(state_->conn), "inspect queue " + Quote(queue));
  return ok->message_count;
}

void Connection::Publish(const std::string& exchange, const std::string& routing_key,
                         const std::string& body, const PublishOptions& options) {
  CheckUsable();
  const std::string what =
      "publish to exchange " + Quote(exchange) + " with routing key " + Quote(routing_key);
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.content_type = Bytes(options.content_type);
  props.delivery_mode = options.persistent ? 2 : 1;
  amqp_bytes_t content{body.size(), const_cast<char*>(body.data())};
  const int rc = amqp_basic_publish(state_->conn, kChannel, Bytes(exchange), Bytes(routing_key),
                                    options.mandatory ? 1 : 0, 0, &props, content);
  if (rc != AMQP_STATUS_OK) Fail(what + ": " + amqp_error_string2(rc));
  // In confirm mode the broker numbers publishes on the channel 1, 2, 3, ...
  const std::uint64_t sequence = ++published_;
  const auto deadline = std::chrono::steady_clock::now() + options_.rpc_timeout;
  std::string returned;  // set by a basic.return, which the broker sends before the ack
  for (;;) {
    amqp_maybe_release_buffers(state_->conn);
    amqp_frame_t frame{};
    timeval left = Remaining(deadline);
    const int wait = amqp_simple_wait_frame_noblock(state_->conn, &frame, &left);
    if (wait == AMQP_STATUS_TIMEOUT) {
      Fail(what + ": no publisher confirm within " + std::to_string(options_.rpc_timeout.count()) +
           " ms");
    }
    if (wait != AMQP_STATUS_OK) Fail(what + ": " + amqp_error_string2(wait));
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    const amqp_method_t& method = frame.payload.method;
    if (method.id == AMQP_BASIC_ACK_METHOD || method.id == AMQP_BASIC_NACK_METHOD) {
      const bool ack = method.id == AMQP_BASIC_ACK_METHOD;
      const std::uint64_t tag =
          ack ? static_cast<const amqp_basic_ack_t*>(method.decoded)->delivery_tag
              : static_cast<const amqp_basic_nack_t*>(method.decoded)->delivery_tag;
      const bool multiple = ack ? static_cast<const amqp_basic_ack_t*>(method.decoded)->multiple
                                : static_cast<const amqp_basic_nack_t*>(method.decoded)->multiple;
      if (tag != sequence && !(multiple && tag > sequence)) continue;  // an older publish
      // Both are per-message outcomes: the connection stays usable.
      if (!ack) throw AmqpError("amqp: " + what + ": the broker refused it (basic.nack)");
      if (!returned.empty()) throw AmqpError("amqp: " + what + ": " + returned);
      return;
    }
    if (method.id == AMQP_BASIC_RETURN_METHOD) {
      const auto* r = static_cast<const amqp_basic_return_t*>(method.decoded);
      returned = "returned unroutable: " + std::to_string(r->reply_code) + " " + Str(r->reply_text);
      ReadBody();  // the returned message's content follows; drop it
      continue;
    }
    HandleAsync(frame);
  }
}

void Connection::Consume(const std::string& queue, std::uint16_t prefetch) {
  CheckUsable();
  amqp_basic_qos(state_->conn, kChannel, 0, prefetch, 0);
  Check(amqp_get_rpc_reply(state_->conn), "set prefetch " + std::to_string(prefetch));
  amqp_basic_consume(state_->conn, kChannel, Bytes(queue), amqp_empty_bytes, 0, 0, 0,
                     amqp_empty_table);
  Check(amqp_get_rpc_reply(state_->conn), "consume queue " + Quote(queue));
}

std::optional<Delivery> Connection::Next(std::chrono::milliseconds timeout) {
  CheckUsable();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!buffered_.empty()) {
      Delivery d = std::move(buffered_.front());
      buffered_.pop_front();
      return d;
    }
    amqp_maybe_release_buffers(state_->conn);
    amqp_envelope_t envelope{};
    timeval left = Remaining(deadline);
    const amqp_rpc_reply_t reply = amqp_consume_message(state_->conn, &envelope, &left, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      Delivery d;
      d.delivery_tag = envelope.delivery_tag;
      d.exchange = Str(envelope.exchange);
      d.routing_key = Str(envelope.routing_key);
      d.redelivered = envelope.redelivered != 0;
      d.body = Str(envelope.message.body);
      amqp_destroy_envelope(&envelope);
      return d;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_TIMEOUT) {
      return std::nullopt;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      // Another method came first (channel.close, basic.cancel, ...): read and handle it.
      amqp_frame_t frame{};
      const int rc = amqp_simple_wait_frame(state_->conn, &frame);
      if (rc != AMQP_STATUS_OK) Fail(std::string("consume: ") + amqp_error_string2(rc));
      HandleAsync(frame);
      continue;
    }
    Check(reply, "consume");
  }
}

std::optional<Delivery> Connection::Get(const std::string& queue) {
  CheckUsable();
  amqp_maybe_release_buffers(state_->conn);
  const amqp_rpc_reply_t reply = amqp_basic_get(state_->conn, kChannel, Bytes(queue), 0);
  Check(reply, "get from queue " + Quote(queue));
  if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return std::nullopt;
  Delivery d = Envelope(*static_cast<const amqp_basic_get_ok_t*>(reply.reply.decoded));
  d.body = ReadBody();
  return d;
}

void Connection::Ack(std::uint64_t delivery_tag) {
  CheckUsable();
  const int rc = amqp_basic_ack(state_->conn, kChannel, delivery_tag, 0);
  if (rc != AMQP_STATUS_OK) Fail(std::string("ack: ") + amqp_error_string2(rc));
}

void Connection::Nack(std::uint64_t delivery_tag, bool requeue) {
  CheckUsable();
  const int rc = amqp_basic_nack(state_->conn, kChannel, delivery_tag, 0, requeue ? 1 : 0);
  if (rc != AMQP_STATUS_OK) Fail(std::string("nack: ") + amqp_error_string2(rc));
}

void Connection::Reject(std::uint64_t delivery_tag, bool requeue) {
  CheckUsable();
  const int rc = amqp_basic_reject(state_->conn, kChannel, delivery_tag, requeue ? 1 : 0);
  if (rc != AMQP_STATUS_OK) Fail(std::string("reject: ") + amqp_error_string2(rc));
}

}  // namespace pulse::demo::amqp
