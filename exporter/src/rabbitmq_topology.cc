#include "pulse/exporter/rabbitmq_topology.h"

#include <re2/re2.h>

#include <deque>
#include <nlohmann/json.hpp>

namespace pulse::exporter::rabbitmq {
namespace {

using nlohmann::json;

std::optional<json> Parse(std::string_view text, std::string* error) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    *error = "response is not valid JSON";
    return std::nullopt;
  }
  return doc;
}

std::string StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> OptionalString(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

double NumberField(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number() ? it->get<double>() : 0.0;
}

bool RequireArrayOfObjects(const json& doc, const char* what, std::string* error) {
  if (!doc.is_array()) {
    *error = std::string(what) + ": expected a JSON array";
    return false;
  }
  for (const auto& item : doc) {
    if (!item.is_object()) {
      *error = std::string(what) + ": expected objects in the array";
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParseQueuesPage(std::string_view text, QueuesPage* out, std::string* error) {
  auto doc = Parse(text, error);
  if (!doc) return false;
  if (!doc->is_object() || !doc->contains("items") || !(*doc)["items"].is_array()) {
    *error = "queues: expected a paged object with an items array";
    return false;
  }
  const json& items = (*doc)["items"];
  if (!RequireArrayOfObjects(items, "queues", error)) return false;
  out->page_count = static_cast<int>(NumberField(*doc, "page_count"));
  for (const auto& q : items) {
    Queue queue;
    queue.vhost = StringField(q, "vhost");
    queue.name = StringField(q, "name");
    if (!q.contains("name") || !q["name"].is_string() || !q.contains("vhost")) {
      *error = "queues: an item has no name or vhost";
      return false;
    }
    if (auto args = q.find("arguments"); args != q.end() && args->is_object()) {
      queue.dlx_argument = OptionalString(*args, "x-dead-letter-exchange");
      queue.dlx_routing_argument = OptionalString(*args, "x-dead-letter-routing-key");
    }
    queue.policy = StringField(q, "policy");
    queue.messages = NumberField(q, "messages");
    queue.messages_ready = NumberField(q, "messages_ready");
    queue.messages_unacked = NumberField(q, "messages_unacknowledged");
    out->queues.push_back(std::move(queue));
  }
  return true;
}

bool ParsePolicies(std::string_view text, std::vector<Policy>* out, std::string* error) {
  auto doc = Parse(text, error);
  if (!doc || !RequireArrayOfObjects(*doc, "policies", error)) return false;
  for (const auto& p : *doc) {
    Policy policy;
    policy.vhost = StringField(p, "vhost");
    policy.name = StringField(p, "name");
    if (auto def = p.find("definition"); def != p.end() && def->is_object()) {
      policy.dlx = OptionalString(*def, "dead-letter-exchange");
      policy.dlx_routing = OptionalString(*def, "dead-letter-routing-key");
    }
    out->push_back(std::move(policy));
  }
  return true;
}

bool ParseBindings(std::string_view text, std::vector<Binding>* out, std::string* error) {
  auto doc = Parse(text, error);
  if (!doc || !RequireArrayOfObjects(*doc, "bindings", error)) return false;
  for (const auto& b : *doc) {
    out->push_back({StringField(b, "vhost"), StringField(b, "source"),
                    StringField(b, "destination"), StringField(b, "destination_type")});
  }
  return true;
}

bool ParseConsumers(std::string_view text, std::map<QueueKey, int>* out, std::string* error) {
  auto doc = Parse(text, error);
  if (!doc || !RequireArrayOfObjects(*doc, "consumers", error)) return false;
  for (const auto& c : *doc) {
    auto q = c.find("queue");
    if (q == c.end() || !q->is_object()) continue;
    (*out)[{StringField(*q, "vhost"), StringField(*q, "name")}]++;
  }
  return true;
}

std::vector<DeadLetterTarget> DeadLetterTargets(const std::vector<Queue>& queues,
                                                const std::vector<Policy>& policies) {
  std::map<QueueKey, const Policy*> by_name;
  for (const auto& p : policies) by_name[{p.vhost, p.name}] = &p;
  std::vector<DeadLetterTarget> out;
  for (const auto& q : queues) {
    if (q.dlx_argument) {
      // The argument wins; so does its routing key argument, else the policy's.
      std::optional<std::string> rk = q.dlx_routing_argument;
      if (!rk && !q.policy.empty()) {
        if (auto it = by_name.find({q.vhost, q.policy}); it != by_name.end()) {
          rk = it->second->dlx_routing;
        }
      }
      out.push_back({{q.vhost, q.name}, *q.dlx_argument, rk, "argument"});
      continue;
    }
    if (q.policy.empty()) continue;
    auto it = by_name.find({q.vhost, q.policy});
    if (it == by_name.end() || !it->second->dlx) continue;
    std::optional<std::string> rk =
        q.dlx_routing_argument ? q.dlx_routing_argument : it->second->dlx_routing;
    out.push_back({{q.vhost, q.name}, *it->second->dlx, rk, "policy"});
  }
  return out;
}

std::set<QueueKey> DeadLetterExchanges(const std::vector<DeadLetterTarget>& targets) {
  std::set<QueueKey> out;
  for (const auto& t : targets) {
    if (!t.exchange.empty()) out.insert({t.queue.first, t.exchange});
  }
  return out;
}

std::set<QueueKey> DeadLetterQueues(const std::vector<Queue>& queues,
                                    const std::vector<DeadLetterTarget>& targets,
                                    const std::map<QueueKey, std::vector<Binding>>& bindings,
                                    const DeadLetterOverride& override_config) {
  std::set<QueueKey> existing;
  for (const auto& q : queues) existing.insert({q.vhost, q.name});
  std::set<QueueKey> out;
  if (override_config.discover) {
    std::deque<QueueKey> pending;  // exchanges to expand
    std::set<QueueKey> seen;
    for (const auto& t : targets) {
      if (t.exchange.empty()) {
        // Default exchange: routes to the queue named by the routing key (the message's own
        // routing key when none is set, which cannot be known here).
        if (t.routing_key && existing.contains({t.queue.first, *t.routing_key})) {
          out.insert({t.queue.first, *t.routing_key});
        }
      } else if (seen.insert({t.queue.first, t.exchange}).second) {
        pending.push_back({t.queue.first, t.exchange});
      }
    }
    while (!pending.empty()) {
      const QueueKey exchange = pending.front();
      pending.pop_front();
      auto it = bindings.find(exchange);
      if (it == bindings.end()) continue;
      for (const auto& b : it->second) {
        if (b.destination_type == "queue") {
          if (existing.contains({exchange.first, b.destination})) {
            out.insert({exchange.first, b.destination});
          }
        } else if (b.destination_type == "exchange" &&
                   seen.insert({exchange.first, b.destination}).second) {
          pending.push_back({exchange.first, b.destination});
        }
      }
    }
  }
  std::set<std::string> names(override_config.names.begin(), override_config.names.end());
  std::optional<RE2> regex;
  if (!override_config.regex.empty()) regex.emplace(override_config.regex, RE2::Quiet);
  for (const auto& key : existing) {
    if (names.contains(key.second) ||
        (regex && regex->ok() && RE2::FullMatch(key.second, *regex))) {
      out.insert(key);
    }
  }
  return out;
}

MetricSet BuildMetrics(const std::vector<Queue>& queues, const std::map<QueueKey, int>& consumers,
                       const std::set<QueueKey>& dead_letter_queues,
                       const std::vector<DeadLetterTarget>& targets) {
  MetricSet m;
  // Families are created up front so each exists (empty) even with no queues.
  auto& dlq = m.Family("pulse_rabbitmq_dead_letter_queue_messages",
                       "Messages (ready + unacknowledged) in a dead-letter queue.");
  auto& unacked = m.Family("pulse_rabbitmq_queue_messages_unacked",
                           "Messages delivered to consumers and not yet acknowledged.");
  auto& ready = m.Family("pulse_rabbitmq_queue_messages_ready", "Messages ready for delivery.");
  auto& total = m.Family("pulse_rabbitmq_queue_messages", "Messages ready + unacknowledged.");
  auto& consumer_count = m.Family("pulse_rabbitmq_queue_consumers", "Consumers of the queue.");
  double dlq_sum = 0, unacked_sum = 0;
  for (const auto& q : queues) {
    const LabelPairs labels = {{"vhost", q.vhost}, {"queue", q.name}};
    unacked.samples.push_back({labels, q.messages_unacked});
    ready.samples.push_back({labels, q.messages_ready});
    total.samples.push_back({labels, q.messages});
    auto c = consumers.find({q.vhost, q.name});
    consumer_count.samples.push_back({labels, c == consumers.end() ? 0.0 : c->second});
    unacked_sum += q.messages_unacked;
    if (dead_letter_queues.contains({q.vhost, q.name})) {
      dlq.samples.push_back({labels, q.messages});
      dlq_sum += q.messages;
    }
  }
  m.Add("pulse_rabbitmq_dead_letter_messages", "Messages in all dead-letter queues.", {}, dlq_sum);
  m.Add("pulse_rabbitmq_dead_letter_queues", "Queues identified as dead-letter queues.", {},
        static_cast<double>(dlq.samples.size()));
  m.Add("pulse_rabbitmq_messages_unacked", "Unacknowledged messages in all queues.", {},
        unacked_sum);
  m.Add("pulse_rabbitmq_queues", "Queues listed.", {}, static_cast<double>(queues.size()));
  auto& info = m.Family("pulse_rabbitmq_queue_dead_letter_exchange_info",
                        "Always 1: the queue dead-letters into exchange (source: argument or "
                        "policy).");
  for (const auto& t : targets) {
    info.samples.push_back({{{"vhost", t.queue.first},
                             {"queue", t.queue.second},
                             {"exchange", t.exchange},
                             {"source", t.source}},
                            1.0});
  }
  return m;
}

}  // namespace pulse::exporter::rabbitmq
