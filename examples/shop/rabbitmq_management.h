// RabbitMQ through its management HTTP API (the plugin every RabbitMQ here runs): declares the
// shop's topology, publishes order events, and fetches messages for the demo consumer.
//
// Topology: exchange shop.events (topic) → queue shop.orders (binding "order.#"), whose
// x-dead-letter-exchange is shop.dlx (fanout) → queue shop.orders.dlq.
//
// Thread-safe: one mutex serialises the single HTTP connection.
#pragma once

#include <mutex>
#include <string>

#include "pulse/demo/http_client.h"
#include "shop_service.h"

namespace pulse::demo::shop {

inline constexpr const char* kEventsExchange = "shop.events";
inline constexpr const char* kOrdersQueue = "shop.orders";
inline constexpr const char* kDeadLetterExchange = "shop.dlx";
inline constexpr const char* kDeadLetterQueue = "shop.orders.dlq";

class RabbitMqManagement : public OrderEvents {
 public:
  // base_url: "http://host:port" of the management API. Throws std::invalid_argument otherwise.
  RabbitMqManagement(const std::string& base_url, const std::string& user,
                     const std::string& password);

  // Idempotent. Throws std::runtime_error with the API's answer on failure.
  void DeclareTopology();
  void Publish(const std::string& json_event) override;

  // Takes one message from `queue`: reject=true dead-letters it (reject without requeue),
  // reject=false acknowledges it. Returns false when the queue was empty.
  bool TakeOne(const std::string& queue, bool reject);

 private:
  HttpResult Call(const std::string& method, const std::string& path, const std::string& body);

  std::string auth_;
  std::mutex mu_;
  HttpClient http_;
};

// "http://host:port[/]" → host, port. Throws std::invalid_argument naming the URL.
std::pair<std::string, int> ParseHttpUrl(const std::string& url);

}  // namespace pulse::demo::shop
