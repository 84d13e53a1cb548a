// A minimal AMQP 0-9-1 consumer over a TCP socket, only for tests: it connects (PLAIN auth),
// opens channel 1, sets a prefetch, starts a consumer that never acknowledges, and counts
// deliveries. The deliveries stay unacknowledged in RabbitMQ until the consumer is closed.
// Not thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace pulse::exporter::testing {

class AmqpConsumer {
 public:
  AmqpConsumer() = default;
  ~AmqpConsumer();
  AmqpConsumer(const AmqpConsumer&) = delete;
  AmqpConsumer& operator=(const AmqpConsumer&) = delete;

  // Returns "" on success, else what went wrong.
  std::string Connect(const std::string& host, int port, const std::string& user,
                      const std::string& password, const std::string& vhost = "/");
  std::string Consume(const std::string& queue, int prefetch);
  // Reads frames until `count` deliveries arrived in total; false on timeout/error.
  bool WaitForDeliveries(int count, std::chrono::milliseconds timeout);
  int deliveries() const { return deliveries_; }
  void Close();

 private:
  bool SendMethod(int channel, int class_id, int method_id, const std::string& args);
  // Reads one frame; returns false on error/timeout.
  bool ReadFrame(int* type, int* channel, std::string* payload, std::chrono::milliseconds timeout);
  std::string ExpectMethod(int class_id, int method_id, std::string* args);

  int fd_ = -1;
  int deliveries_ = 0;
};

}  // namespace pulse::exporter::testing
