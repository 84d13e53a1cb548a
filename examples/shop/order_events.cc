#include "order_events.h"

#include <utility>

namespace pulse::demo::shop {

void DeclareTopology(amqp::Connection& connection) {
  // The dead-letter side first, so no rejected message is ever dropped for lack of a target.
  connection.DeclareExchange(kDeadLetterExchange, "fanout");
  connection.DeclareQueue(kDeadLetterQueue);
  connection.Bind(kDeadLetterQueue, kDeadLetterExchange, "");
  connection.DeclareExchange(kEventsExchange, "topic");
  connection.DeclareQueue(kOrdersQueue,
                          {{"x-dead-letter-exchange", std::string(kDeadLetterExchange)}});
  connection.Bind(kOrdersQueue, kEventsExchange, "order.#");
}

AmqpOrderEvents::AmqpOrderEvents(amqp::ConnectionOptions options) : options_(std::move(options)) {}

AmqpOrderEvents::~AmqpOrderEvents() = default;

amqp::Connection& AmqpOrderEvents::ConnectionLocked() {
  if (!connection_) connection_ = std::make_unique<amqp::Connection>(options_);
  return *connection_;
}

void AmqpOrderEvents::DeclareTopology() {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    shop::DeclareTopology(ConnectionLocked());
  } catch (...) {
    connection_.reset();
    throw;
  }
}

void AmqpOrderEvents::Publish(const std::string& json_event) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    ConnectionLocked().Publish(kEventsExchange, kOrderCreatedKey, json_event);
  } catch (...) {
    // A broker-closed channel leaves the connection unusable; the next order opens a new one.
    connection_.reset();
    throw;
  }
}

}  // namespace pulse::demo::shop
