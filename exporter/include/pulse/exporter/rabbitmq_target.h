// RabbitMQ target: reads queues (paged, cheap listing), policies, dead-letter exchange bindings
// and consumers from the management HTTP API and turns them into samples (rabbitmq_topology.h).
// Not thread-safe; driven by one TargetRunner.
#pragma once

#include <memory>

#include "pulse/exporter/config.h"
#include "pulse/exporter/target.h"
#include "pulse/http/client.h"

namespace pulse::exporter {

class RabbitMqTarget : public Target {
 public:
  RabbitMqTarget(RabbitMqSpec spec, Duration timeout, std::shared_ptr<http::Client> http);
  RefreshResult Refresh(std::stop_token stop) override;

 private:
  RabbitMqSpec spec_;
  Duration timeout_;
  std::shared_ptr<http::Client> http_;
};

// Page size for /api/queues (the management API's maximum).
inline constexpr int kRabbitQueuesPageSize = 500;

}  // namespace pulse::exporter
