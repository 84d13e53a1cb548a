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

// Where invoices go (S3 in the demo). Thread-safe implementations only.
class Invoices {
 public:
  virtual ~Invoices() = default;
  // Throws std::runtime_error when the invoice could not be stored.
  virtual void Put(const std::string& key, const std::string& body) = 0;
};

// Creates the tables (idempotent), seeds the catalogue, and returns the routes:
//   GET  /catalogue                 GET  /catalogue/{sku}
//   GET  /cart/{user}               POST /cart/{user}/items {"sku","quantity"}   DELETE
//   /cart/{user} POST /orders {"user"}           GET  /orders/{id}
// `events` may be null (orders are then not announced); `invoices` may be null (no invoice is
// written; else each order's invoice goes to invoices/<order id>.json).
std::vector<Route> MakeRoutes(std::shared_ptr<RedisPool> redis, std::shared_ptr<PgPool> pg,
                              std::shared_ptr<OrderEvents> events,
                              std::shared_ptr<Invoices> invoices = nullptr);

}  // namespace pulse::demo::shop
