// A minimal AMQP 0-9-1 consumer (PLAIN auth, one channel, manual acknowledgements) — enough for
// the demo's order consumer to hold deliveries unacknowledged and to reject others into the
// dead-letter exchange, which the management HTTP API cannot do.
//
// Not thread-safe: one thread owns a connection. Throws std::runtime_error (with the broker's
// reply text when it closes the connection or channel) on any protocol or network failure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "amqp_wire.h"

namespace pulse::demo::amqp {

struct Delivery {
  std::uint64_t delivery_tag = 0;
  std::string routing_key;
  std::string body;
  bool redelivered = false;
};

class Consumer {
 public:
  // Connects, authenticates, opens channel 1, sets the prefetch count and starts consuming
  // `queue` with manual acknowledgements.
  Consumer(const std::string& host, int port, const std::string& user, const std::string& password,
           const std::string& queue, std::uint16_t prefetch);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // The next delivery, or nullopt if none arrived within `timeout`.
  std::optional<Delivery> Next(std::chrono::milliseconds timeout);
  void Ack(std::uint64_t delivery_tag);
  // Reject without requeue: the broker dead-letters the message if the queue has a DLX.
  void Reject(std::uint64_t delivery_tag);

 private:
  void Send(const std::string& bytes);
  // Reads until a frame is available or the deadline passes (nullopt then).
  std::optional<Frame> ReadFrame(std::chrono::steady_clock::time_point deadline);
  // Waits for the method (class_id, method_id) on any channel; returns its arguments.
  std::string Expect(std::uint16_t class_id, std::uint16_t method_id);

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace pulse::demo::amqp
