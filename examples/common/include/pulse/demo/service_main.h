// The shared main() of the demo services: flags, backends, server, and a clean stop on SIGINT /
// SIGTERM. Flags (all optional):
//   --listen ADDR        civetweb listening_ports, default 127.0.0.1:8080 (port 0 = pick one)
//   --redis HOST:PORT    Redis for caching (default 127.0.0.1:6379)
//   --pg DSN             PostgreSQL connection string (services that persist)
//   --amqp-url URL       RabbitMQ over AMQP for the shop's order events, published with
//                        publisher confirms: amqp://user:password@host:port/ (vhost "/")
//   --s3-endpoint URL --s3-bucket B --s3-access-key K --s3-secret-key S --s3-region R
//                        S3 for the shop's invoices (bucket default shop-invoices)
//   --error-rate R       share of requests answered 500 (0..1)
//   --latency-ms N --jitter-ms N              added latency
//   --top-k K            users tracked for http_requests_by_user_total (default 100)
//   --threads N          worker threads (default 16)
//   --port-file PATH     write the chosen port there once listening (for tests and scripts)
//   --metrics-listen ADDR  also serve /metrics, /healthz, /readyz on ADDR with pulse::serve (an
//                        event loop with request deadlines and a connection limit: scrapes get
//                        through while slow clients hold the API's workers)
//   --metrics-port-file PATH  write the chosen metrics port there
//   --no-instrumentation no RED recording (to measure its overhead)
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pulse/demo/backends.h"
#include "pulse/demo/flags.h"
#include "pulse/demo/http_server.h"

namespace pulse::demo {

struct ServiceDeps {
  std::shared_ptr<RedisPool> redis;
  std::shared_ptr<PgPool> pg;  // null unless --pg was given
  const Flags* flags = nullptr;
};

struct ServiceDefinition {
  std::string name;  // "shop"
  bool needs_pg = false;
  // Builds the routes; may create tables and seed data (runs once before listening).
  std::function<std::vector<Route>(ServiceDeps&)> make_routes;
};

int RunService(int argc, const char* const* argv, const ServiceDefinition& def);

}  // namespace pulse::demo
