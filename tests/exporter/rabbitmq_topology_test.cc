// Dead-letter queue discovery and sample building from management-API JSON (no server).
#include "pulse/exporter/rabbitmq_topology.h"

#include <gtest/gtest.h>

namespace pulse::exporter::rabbitmq {
namespace {

// Shaped like RabbitMQ 3.10's /api/queues?disable_stats=true&enable_queue_totals=true.
constexpr const char* kQueues = R"({"filtered_count":5,"item_count":5,"page":1,"page_count":1,
"page_size":500,"total_count":5,"items":[
 {"arguments":{},"name":"dlq","vhost":"/","messages":3,"messages_ready":3,"messages_unacknowledged":0},
 {"arguments":{"x-dead-letter-exchange":"dlx"},"name":"work","vhost":"/","messages":7,"messages_ready":2,"messages_unacknowledged":5},
 {"arguments":{},"name":"pol.q","policy":"p1","vhost":"/","messages":0,"messages_ready":0,"messages_unacknowledged":0},
 {"arguments":{"x-dead-letter-exchange":"","x-dead-letter-routing-key":"parking"},"name":"direct","vhost":"shop","messages":1,"messages_ready":1,"messages_unacknowledged":0},
 {"arguments":{},"name":"parking","vhost":"shop","messages":4,"messages_ready":4,"messages_unacknowledged":0}
]})";

constexpr const char* kPolicies =
    R"([{"vhost":"/","name":"p1","pattern":"^pol","apply-to":"queues","definition":{"dead-letter-exchange":"dlx2"},"priority":0},
        {"vhost":"/","name":"other","pattern":".*","definition":{"max-length":10}}])";

std::vector<Queue> Queues() {
  QueuesPage page;
  std::string error;
  EXPECT_TRUE(ParseQueuesPage(kQueues, &page, &error)) << error;
  EXPECT_EQ(page.page_count, 1);
  return page.queues;
}

std::vector<Policy> Policies() {
  std::vector<Policy> p;
  std::string error;
  EXPECT_TRUE(ParsePolicies(kPolicies, &p, &error)) << error;
  return p;
}

TEST(RabbitTopology, ParsesQueues) {
  const auto q = Queues();
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[1].name, "work");
  EXPECT_EQ(q[1].dlx_argument, "dlx");
  EXPECT_EQ(q[1].messages_unacked, 5);
  EXPECT_EQ(q[2].policy, "p1");
  EXPECT_FALSE(q[2].dlx_argument);
}

TEST(RabbitTopology, ArgumentWinsOverPolicy) {
  auto queues = Queues();
  queues[1].policy = "p1";  // work has both: argument dlx, policy dlx2
  const auto targets = DeadLetterTargets(queues, Policies());
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[0].queue.second, "work");
  EXPECT_EQ(targets[0].exchange, "dlx");
  EXPECT_EQ(targets[0].source, "argument");
  EXPECT_EQ(targets[1].queue.second, "pol.q");
  EXPECT_EQ(targets[1].exchange, "dlx2");
  EXPECT_EQ(targets[1].source, "policy");
  EXPECT_EQ(targets[2].exchange, "");
  EXPECT_EQ(targets[2].routing_key, "parking");
  EXPECT_EQ(DeadLetterExchanges(targets), (std::set<QueueKey>{{"/", "dlx"}, {"/", "dlx2"}}));
}

TEST(RabbitTopology, QueuesBoundToDlxFollowingExchangeBindings) {
  const auto queues = Queues();
  const auto targets = DeadLetterTargets(queues, Policies());
  std::map<QueueKey, std::vector<Binding>> bindings;
  std::string error;
  ASSERT_TRUE(ParseBindings(
      R"([{"source":"dlx","vhost":"/","destination":"dlq","destination_type":"queue","routing_key":""},
          {"source":"dlx","vhost":"/","destination":"missing","destination_type":"queue"}])",
      &bindings[{"/", "dlx"}], &error));
  ASSERT_TRUE(ParseBindings(
      R"([{"source":"dlx2","vhost":"/","destination":"fanout2","destination_type":"exchange"}])",
      &bindings[{"/", "dlx2"}], &error));
  ASSERT_TRUE(ParseBindings(
      R"([{"source":"fanout2","vhost":"/","destination":"pol.q","destination_type":"queue"},
          {"source":"fanout2","vhost":"/","destination":"dlx2","destination_type":"exchange"}])",
      &bindings[{"/", "fanout2"}], &error));
  const auto dlqs = DeadLetterQueues(queues, targets, bindings, {});
  // dlq (bound to dlx), pol.q (via dlx2 -> fanout2, a loop back to dlx2 is harmless), parking
  // (default exchange + routing key). "missing" does not exist, so it is not reported.
  EXPECT_EQ(dlqs, (std::set<QueueKey>{{"/", "dlq"}, {"/", "pol.q"}, {"shop", "parking"}}));
}

TEST(RabbitTopology, OverrideNamesAndRegex) {
  const auto queues = Queues();
  DeadLetterOverride o;
  o.discover = false;
  o.names = {"work"};
  o.regex = "park.*";
  EXPECT_EQ(DeadLetterQueues(queues, DeadLetterTargets(queues, Policies()), {}, o),
            (std::set<QueueKey>{{"/", "work"}, {"shop", "parking"}}));
  o.regex = "ark";  // full match only
  o.names.clear();
  EXPECT_TRUE(DeadLetterQueues(queues, {}, {}, o).empty());
}

TEST(RabbitTopology, BuildsSamplesAndTotals) {
  const auto queues = Queues();
  const auto targets = DeadLetterTargets(queues, Policies());
  std::map<QueueKey, int> consumers;
  std::string error;
  ASSERT_TRUE(ParseConsumers(
      R"([{"queue":{"name":"work","vhost":"/"},"consumer_tag":"a"},{"queue":{"name":"work","vhost":"/"}}])",
      &consumers, &error));
  const auto m = BuildMetrics(queues, consumers, {{"/", "dlq"}, {"shop", "parking"}}, targets);
  const auto* s = m.Find("pulse_rabbitmq_dead_letter_queue_messages", {{"queue", "dlq"}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, 3);
  EXPECT_EQ(m.Find("pulse_rabbitmq_dead_letter_messages")->value, 7);
  EXPECT_EQ(m.Find("pulse_rabbitmq_dead_letter_queues")->value, 2);
  EXPECT_EQ(m.Find("pulse_rabbitmq_messages_unacked")->value, 5);
  EXPECT_EQ(m.Find("pulse_rabbitmq_queue_messages_unacked", {{"queue", "work"}})->value, 5);
  EXPECT_EQ(m.Find("pulse_rabbitmq_queue_messages_ready", {{"queue", "work"}})->value, 2);
  EXPECT_EQ(m.Find("pulse_rabbitmq_queue_consumers", {{"queue", "work"}})->value, 2);
  EXPECT_EQ(m.Find("pulse_rabbitmq_queue_consumers", {{"queue", "dlq"}})->value, 0);
  EXPECT_EQ(m.Find("pulse_rabbitmq_queues")->value, 5);
  EXPECT_TRUE(m.Find("pulse_rabbitmq_queue_dead_letter_exchange_info",
                     {{"queue", "pol.q"}, {"exchange", "dlx2"}, {"source", "policy"}}));
  EXPECT_FALSE(m.Find("pulse_rabbitmq_dead_letter_queue_messages", {{"queue", "work"}}));
}

TEST(RabbitTopology, HostileJson) {
  QueuesPage page;
  std::string error;
  EXPECT_FALSE(ParseQueuesPage("not json", &page, &error));
  EXPECT_EQ(error, "response is not valid JSON");
  EXPECT_FALSE(ParseQueuesPage("[1,2]", &page, &error));
  EXPECT_FALSE(ParseQueuesPage(R"({"items":[1]})", &page, &error));
  EXPECT_FALSE(ParseQueuesPage(R"({"items":[{"vhost":"/"}]})", &page, &error));
  EXPECT_EQ(error, "queues: an item has no name or vhost");
  EXPECT_FALSE(ParseQueuesPage(std::string(100000, '['), &page, &error));
  // Wrong types in fields are treated as absent, not crashes.
  ASSERT_TRUE(ParseQueuesPage(
      R"({"page_count":"x","items":[{"name":"q","vhost":"/","messages":"7","arguments":[1],"policy":5}]})",
      &page, &error))
      << error;
  EXPECT_EQ(page.queues.back().messages, 0);
  std::vector<Policy> policies;
  EXPECT_FALSE(ParsePolicies(R"({"a":1})", &policies, &error));
  std::vector<Binding> bindings;
  EXPECT_FALSE(ParseBindings("[\"x\"]", &bindings, &error));
  std::map<QueueKey, int> consumers;
  EXPECT_FALSE(ParseConsumers("", &consumers, &error));
}

}  // namespace
}  // namespace pulse::exporter::rabbitmq
