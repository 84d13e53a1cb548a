#include "amqp_consumer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace pulse::exporter::testing {
namespace {

constexpr int kFrameMethod = 1;
constexpr unsigned char kFrameEnd = 0xCE;

void PutU8(std::string& s, unsigned v) { s += static_cast<char>(v & 0xFF); }
void PutU16(std::string& s, unsigned v) {
  PutU8(s, v >> 8);
  PutU8(s, v);
}
void PutU32(std::string& s, std::uint32_t v) {
  PutU16(s, v >> 16);
  PutU16(s, v & 0xFFFF);
}
void PutShortStr(std::string& s, const std::string& v) {
  PutU8(s, static_cast<unsigned>(v.size()));
  s += v;
}
void PutLongStr(std::string& s, const std::string& v) {
  PutU32(s, static_cast<std::uint32_t>(v.size()));
  s += v;
}
unsigned GetU16(const std::string& s, std::size_t at) {
  return (static_cast<unsigned char>(s[at]) << 8) | static_cast<unsigned char>(s[at + 1]);
}
std::uint32_t GetU32(const std::string& s, std::size_t at) {
  return (static_cast<std::uint32_t>(GetU16(s, at)) << 16) | GetU16(s, at + 2);
}

bool WriteAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool ReadExactly(int fd, std::size_t n, std::string* out, std::chrono::milliseconds timeout) {
  out->clear();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out->size() < n) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    const ssize_t r = ::recv(fd, buf, std::min(sizeof buf, n - out->size()), 0);
    if (r <= 0) return false;
    out->append(buf, static_cast<std::size_t>(r));
  }
  return true;
}

}  // namespace

AmqpConsumer::~AmqpConsumer() { Close(); }

void AmqpConsumer::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool AmqpConsumer::SendMethod(int channel, int class_id, int method_id, const std::string& args) {
  std::string payload;
  PutU16(payload, static_cast<unsigned>(class_id));
  PutU16(payload, static_cast<unsigned>(method_id));
  payload += args;
  std::string frame;
  PutU8(frame, kFrameMethod);
  PutU16(frame, static_cast<unsigned>(channel));
  PutU32(frame, static_cast<std::uint32_t>(payload.size()));
  frame += payload;
  PutU8(frame, kFrameEnd);
  return WriteAll(fd_, frame);
}

bool AmqpConsumer::ReadFrame(int* type, int* channel, std::string* payload,
                             std::chrono::milliseconds timeout) {
  std::string header;
  if (!ReadExactly(fd_, 7, &header, timeout)) return false;
  *type = static_cast<unsigned char>(header[0]);
  *channel = static_cast<int>(GetU16(header, 1));
  const std::uint32_t size = GetU32(header, 3);
  if (size > (1u << 24)) return false;
  if (!ReadExactly(fd_, size + 1, payload, timeout)) return false;
  if (static_cast<unsigned char>(payload->back()) != kFrameEnd) return false;
  payload->pop_back();
  return true;
}

std::string AmqpConsumer::ExpectMethod(int class_id, int method_id, std::string* args) {
  int type = 0, channel = 0;
  std::string payload;
  for (int skipped = 0; skipped < 16; ++skipped) {
    if (!ReadFrame(&type, &channel, &payload, std::chrono::seconds(10))) {
      return "no frame while waiting for method " + std::to_string(class_id) + "." +
             std::to_string(method_id);
    }
    if (type != kFrameMethod || payload.size() < 4) continue;  // e.g. heartbeat
    const int c = static_cast<int>(GetU16(payload, 0)), m = static_cast<int>(GetU16(payload, 2));
    if (c == class_id && m == method_id) {
      if (args) *args = payload.substr(4);
      return "";
    }
    if ((c == 10 && m == 50) || (c == 20 && m == 40)) {  // connection/channel close
      const unsigned code = GetU16(payload, 4);
      const std::string text = payload.substr(7, static_cast<unsigned char>(payload[6]));
      return "server closed: " + std::to_string(code) + " " + text;
    }
  }
  return "unexpected frames";
}

std::string AmqpConsumer::Connect(const std::string& host, int port, const std::string& user,
                                  const std::string& password, const std::string& vhost) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect failed";
  if (!WriteAll(fd_, std::string("AMQP\0\0\x09\x01", 8))) return "write failed";
  std::string args;
  if (auto e = ExpectMethod(10, 10, &args); !e.empty()) return e;  // Connection.Start
  std::string start_ok;
  PutU32(start_ok, 0);  // client-properties: empty table
  PutShortStr(start_ok, "PLAIN");
  PutLongStr(start_ok, std::string("\0", 1) + user + std::string("\0", 1) + password);
  PutShortStr(start_ok, "en_US");
  SendMethod(0, 10, 11, start_ok);
  if (auto e = ExpectMethod(10, 30, &args); !e.empty()) return e;  // Connection.Tune
  std::string tune_ok;
  PutU16(tune_ok, GetU16(args, 0));  // channel-max as offered
  PutU32(tune_ok, 131072);           // frame-max
  PutU16(tune_ok, 0);                // no heartbeats
  SendMethod(0, 10, 31, tune_ok);
  std::string open;
  PutShortStr(open, vhost);
  PutShortStr(open, "");
  PutU8(open, 0);
  SendMethod(0, 10, 40, open);
  if (auto e = ExpectMethod(10, 41, nullptr); !e.empty()) return e;  // Connection.Open-Ok
  std::string channel_open;
  PutShortStr(channel_open, "");
  SendMethod(1, 20, 10, channel_open);
  return ExpectMethod(20, 11, nullptr);  // Channel.Open-Ok
}

std::string AmqpConsumer::Consume(const std::string& queue, int prefetch) {
  std::string qos;
  PutU32(qos, 0);
  PutU16(qos, static_cast<unsigned>(prefetch));
  PutU8(qos, 0);
  SendMethod(1, 60, 10, qos);
  if (auto e = ExpectMethod(60, 11, nullptr); !e.empty()) return e;  // Basic.Qos-Ok
  std::string consume;
  PutU16(consume, 0);
  PutShortStr(consume, queue);
  PutShortStr(consume, "");
  PutU8(consume, 0);  // no-local, no-ack, exclusive, no-wait all off: manual acks
  PutU32(consume, 0);
  SendMethod(1, 60, 20, consume);
  return ExpectMethod(60, 21, nullptr);  // Basic.Consume-Ok
}

bool AmqpConsumer::WaitForDeliveries(int count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (deliveries_ < count) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    int type = 0, channel = 0;
    std::string payload;
    if (!ReadFrame(&type, &channel, &payload, left)) return false;
    if (type == kFrameMethod && payload.size() >= 4 && GetU16(payload, 0) == 60 &&
        GetU16(payload, 2) == 60) {
      ++deliveries_;  // Basic.Deliver; its header and body frames are skipped as they come
    }
  }
  return true;
}

}  // namespace pulse::exporter::testing
