// Pure RabbitMQ logic: parses management-API JSON into plain structs, decides which queues are
// dead-letter queues from the real topology, and builds the exported samples. No I/O, so all of
// it is unit-tested with captured and hostile JSON. Free functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pulse/exporter/config.h"
#include "pulse/exporter/metric_set.h"

namespace pulse::exporter::rabbitmq {

using QueueKey = std::pair<std::string, std::string>;  // vhost, queue

struct Queue {
  std::string vhost;
  std::string name;
  std::optional<std::string> dlx_argument;          // x-dead-letter-exchange
  std::optional<std::string> dlx_routing_argument;  // x-dead-letter-routing-key
  std::string policy;                               // name of the applied policy, "" if none
  double messages = 0;
  double messages_ready = 0;
  double messages_unacked = 0;
};

struct Policy {
  std::string vhost;
  std::string name;
  std::optional<std::string> dlx;          // definition.dead-letter-exchange
  std::optional<std::string> dlx_routing;  // definition.dead-letter-routing-key
};

struct Binding {
  std::string vhost;
  std::string source;
  std::string destination;
  std::string destination_type;  // "queue" or "exchange"
};

struct QueuesPage {
  std::vector<Queue> queues;
  int page_count = 0;
};

// Each returns false and sets *error (a short reason, no payload dump) on malformed input.
bool ParseQueuesPage(std::string_view json, QueuesPage* out, std::string* error);
bool ParsePolicies(std::string_view json, std::vector<Policy>* out, std::string* error);
bool ParseBindings(std::string_view json, std::vector<Binding>* out, std::string* error);
// /api/consumers -> number of consumers per queue.
bool ParseConsumers(std::string_view json, std::map<QueueKey, int>* out, std::string* error);

// Where a queue dead-letters to: its argument wins over its policy.
struct DeadLetterTarget {
  QueueKey queue;
  std::string exchange;                    // "" = the default exchange
  std::optional<std::string> routing_key;  // x-dead-letter-routing-key / dead-letter-routing-key
  std::string source;                      // "argument" or "policy"
};
std::vector<DeadLetterTarget> DeadLetterTargets(const std::vector<Queue>& queues,
                                                const std::vector<Policy>& policies);

// Exchanges (vhost, name) to look up bindings for; the default exchange "" is not included.
std::set<QueueKey> DeadLetterExchanges(const std::vector<DeadLetterTarget>& targets);

// Dead-letter queues: queues bound to a dead-letter exchange (following exchange-to-exchange
// bindings), queues a default-exchange DLX routes to by routing key, plus the override names and
// regex (which apply only to queues that exist). `bindings_by_exchange` maps (vhost, exchange) to
// that exchange's source bindings.
std::set<QueueKey> DeadLetterQueues(const std::vector<Queue>& queues,
                                    const std::vector<DeadLetterTarget>& targets,
                                    const std::map<QueueKey, std::vector<Binding>>& bindings,
                                    const DeadLetterOverride& override_config);

// The samples documented in docs/exporter.md (RabbitMQ section).
MetricSet BuildMetrics(const std::vector<Queue>& queues, const std::map<QueueKey, int>& consumers,
                       const std::set<QueueKey>& dead_letter_queues,
                       const std::vector<DeadLetterTarget>& targets);

}  // namespace pulse::exporter::rabbitmq
