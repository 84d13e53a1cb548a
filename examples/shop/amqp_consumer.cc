#include "amqp_consumer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "amqp_wire.h"

namespace pulse::demo::amqp {
namespace {

constexpr std::uint16_t kConnection = 10, kChannel = 20, kBasic = 60;
constexpr std::chrono::seconds kHandshakeTimeout{10};

// A Connection.Close / Channel.Close from the broker carries a reply code and text: surface them.
[[noreturn]] void ThrowClose(const std::string& what, const std::string& args) {
  Reader r(args);
  const std::uint16_t code = r.U16();
  const std::string text = r.ShortString();
  throw std::runtime_error("amqp: broker closed the " + what + ": " + std::to_string(code) + " " +
                           text);
}

}  // namespace

Consumer::Consumer(const std::string& host, int port, const std::string& user,
                   const std::string& password, const std::string& queue, std::uint16_t prefetch) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("amqp: socket: " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd_);
    throw std::runtime_error("amqp: \"" + host + "\" is not an IPv4 address");
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string err = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("amqp: connect " + host + ":" + std::to_string(port) + ": " + err);
  }
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  try {
    Send(std::string(kProtocolHeader));
    Expect(kConnection, 10);  // Start
    std::string start_ok;
    PutU32(start_ok, 0);  // client-properties: empty table
    PutShortString(start_ok, "PLAIN");
    PutLongString(start_ok, std::string(1, '\0') + user + std::string(1, '\0') + password);
    PutShortString(start_ok, "en_US");
    Send(EncodeMethod(0, kConnection, 11, start_ok));
    const std::string tune_args = Expect(kConnection, 30);  // Tune; Reader only views it
    Reader tune(tune_args);
    const std::uint16_t channel_max = tune.U16();
    const std::uint32_t frame_max = tune.U32();
    std::string tune_ok;
    PutU16(tune_ok, channel_max);
    PutU32(tune_ok, frame_max);
    PutU16(tune_ok, 0);  // no heartbeats: the demo consumer reads continuously
    Send(EncodeMethod(0, kConnection, 31, tune_ok));
    std::string open;
    PutShortString(open, "/");
    PutShortString(open, "");
    PutU8(open, 0);
    Send(EncodeMethod(0, kConnection, 40, open));
    Expect(kConnection, 41);  // Open-Ok
    std::string channel_open;
    PutShortString(channel_open, "");
    Send(EncodeMethod(1, kChannel, 10, channel_open));
    Expect(kChannel, 11);
    std::string qos;
    PutU32(qos, 0);
    PutU16(qos, prefetch);
    PutU8(qos, 0);
    Send(EncodeMethod(1, kBasic, 10, qos));
    Expect(kBasic, 11);
    std::string consume;
    PutU16(consume, 0);
    PutShortString(consume, queue);
    PutShortString(consume, "");  // server-generated consumer tag
    PutU8(consume, 0);            // no-local, no-ack, exclusive, no-wait all off
    PutU32(consume, 0);           // arguments: empty table
    Send(EncodeMethod(1, kBasic, 20, consume));
    Expect(kBasic, 21);
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

Consumer::~Consumer() {
  if (fd_ >= 0) ::close(fd_);  // unacknowledged deliveries go back to the queue
}

void Consumer::Send(const std::string& bytes) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("amqp: send: " + std::string(std::strerror(errno)));
    sent += static_cast<std::size_t>(n);
  }
}

std::optional<Frame> Consumer::ReadFrame(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (auto f = TakeFrame(buffer_)) {
      if (f->type == kFrameHeartbeat) continue;
      return f;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready == 0) return std::nullopt;
    if (ready < 0 && errno != EINTR) {
      throw std::runtime_error("amqp: poll: " + std::string(std::strerror(errno)));
    }
    if (ready < 0) continue;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) throw std::runtime_error("amqp: broker closed the connection");
    if (n < 0) throw std::runtime_error("amqp: recv: " + std::string(std::strerror(errno)));
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

std::string Consumer::Expect(std::uint16_t class_id, std::uint16_t method_id) {
  const auto deadline = std::chrono::steady_clock::now() + kHandshakeTimeout;
  for (;;) {
    auto f = ReadFrame(deadline);
    if (!f) throw std::runtime_error("amqp: timed out waiting for the broker");
    if (f->type != kFrameMethod) continue;
    Reader r(f->payload);
    const std::uint16_t c = r.U16(), m = r.U16();
    const std::string args = f->payload.substr(4);
    if (c == kConnection && m == 50) ThrowClose("connection", args);
    if (c == kChannel && m == 40) ThrowClose("channel", args);
    if (c == class_id && m == method_id) return args;
  }
}

std::optional<Delivery> Consumer::Next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto f = ReadFrame(deadline);
    if (!f) return std::nullopt;
    if (f->type != kFrameMethod) continue;
    Reader r(f->payload);
    const std::uint16_t c = r.U16(), m = r.U16();
    if (c == kConnection && m == 50) ThrowClose("connection", f->payload.substr(4));
    if (c == kChannel && m == 40) ThrowClose("channel", f->payload.substr(4));
    if (c != kBasic || m != 60) continue;  // only Basic.Deliver matters here
    Delivery d;
    r.ShortString();  // consumer tag
    d.delivery_tag = r.U64();
    d.redelivered = r.U8() != 0;
    r.ShortString();  // exchange
    d.routing_key = r.ShortString();
    // Content header, then body frames up to body-size. The broker sends them right after the
    // Deliver, so they are waited for without the caller's deadline.
    const auto content_deadline = std::chrono::steady_clock::now() + kHandshakeTimeout;
    auto header = ReadFrame(content_deadline);
    if (!header || header->type != kFrameHeader) {
      throw std::runtime_error("amqp: expected a content header after Basic.Deliver");
    }
    Reader h(header->payload);
    h.U16();  // class
    h.U16();  // weight
    const std::uint64_t size = h.U64();
    while (d.body.size() < size) {
      auto body = ReadFrame(content_deadline);
      if (!body || body->type != kFrameBody) throw std::runtime_error("amqp: truncated body");
      d.body += body->payload;
    }
    return d;
  }
}

void Consumer::Ack(std::uint64_t delivery_tag) {
  std::string args;
  PutU64(args, delivery_tag);
  PutU8(args, 0);  // multiple = false
  Send(EncodeMethod(1, kBasic, 80, args));
}

void Consumer::Reject(std::uint64_t delivery_tag) {
  std::string args;
  PutU64(args, delivery_tag);
  PutU8(args, 0);  // requeue = false → dead-letter
  Send(EncodeMethod(1, kBasic, 90, args));
}

}  // namespace pulse::demo::amqp
