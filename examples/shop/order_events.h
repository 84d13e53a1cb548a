// The shop's order events over AMQP (rabbitmq-c, publisher confirms) and the RabbitMQ topology
// the shop, its consumer and the exporter's dead-letter discovery rely on:
//
//   exchange shop.events (topic) --"order.#"--> queue shop.orders
//     (x-dead-letter-exchange shop.dlx)
//   exchange shop.dlx (fanout) --> queue shop.orders.dlq
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "pulse/demo/amqp_connection.h"
#include "shop_service.h"

namespace pulse::demo::shop {

inline constexpr const char* kEventsExchange = "shop.events";
inline constexpr const char* kOrdersQueue = "shop.orders";
inline constexpr const char* kDeadLetterExchange = "shop.dlx";
inline constexpr const char* kDeadLetterQueue = "shop.orders.dlq";
inline constexpr const char* kOrderCreatedKey = "order.created";

// Declares the topology above; idempotent. Throws amqp::AmqpError.
void DeclareTopology(amqp::Connection& connection);

// Publishes each event to shop.events with routing key order.created and waits for the broker's
// confirm, so an order answered 201 has its event stored in shop.orders. Thread-safe: one
// connection behind a mutex (civetweb calls Publish from many threads); it is opened on first use
// and reopened after an error, so a broker restart costs one failed order, not the process.
class AmqpOrderEvents : public OrderEvents {
 public:
  explicit AmqpOrderEvents(amqp::ConnectionOptions options);
  ~AmqpOrderEvents() override;

  // Connects now (instead of on the first order) and declares the topology. Throws AmqpError.
  void DeclareTopology();
  // Throws amqp::AmqpError (a std::runtime_error) with the broker's reason.
  void Publish(const std::string& json_event) override;

 private:
  amqp::Connection& ConnectionLocked();

  const amqp::ConnectionOptions options_;
  std::mutex mu_;
  std::unique_ptr<amqp::Connection> connection_;
};

}  // namespace pulse::demo::shop
