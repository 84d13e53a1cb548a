// The demo shop: catalogue (PostgreSQL, cached in Redis), carts (Redis), orders (PostgreSQL) and
// order events (RabbitMQ through an OrderEvents sink).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pulse/demo/service_main.h"

namespace pulse::demo::shop {

// Where order events go. Thread-safe implementations only.
class OrderEvents {
 public:
  virtual ~OrderEvents() = default;
  // Throws std::runtime_error when the event could not be handed over.
  virtual void Publish(const std::string& json_event) = 0;
};

// Creates the tables (idempotent), seeds the catalogue, and returns the routes:
//   GET  /catalogue                 GET  /catalogue/{sku}
//   GET  /cart/{user}               POST /cart/{user}/items {"sku","quantity"}   DELETE
//   /cart/{user} POST /orders {"user"}           GET  /orders/{id}
// `events` may be null (orders are then not announced).
std::vector<Route> MakeRoutes(std::shared_ptr<RedisPool> redis, std::shared_ptr<PgPool> pg,
                              std::shared_ptr<OrderEvents> events);

}  // namespace pulse::demo::shop
