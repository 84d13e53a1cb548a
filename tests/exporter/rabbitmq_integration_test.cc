// RabbitMQ (real server, management + prometheus plugins): dead-lettering by queue argument and
// by policy, by reject and by TTL expiry, unacked deliveries held by a consumer that does not
// ack. The exporter's numbers must equal the management API's and rabbitmq_prometheus'
// /metrics/per-object figures for the same queues.
#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "pulse/demo/amqp_connection.h"
#include "pulse/exporter/rabbitmq_target.h"
#include "pulse/testenv/testenv.h"
#include "pulse/testing/loopback_listener.h"
#include "support.h"

namespace pulse::exporter {
namespace {

using testing::Http;
using testing::Value;

class RabbitMqIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    mgmt_ = testenv::Get("rabbitmq", "MGMT_URL");
    user_ = testenv::Get("rabbitmq", "USER");
    password_ = testenv::Get("rabbitmq", "PASSWORD");
    PurgeDefaultVhost();
  }

  // The broker is a CTest fixture shared with other tests (the demo shop declares its own
  // dead-letter queue), and these tests assert exact totals: start from an empty "/" vhost.
  static void PurgeDefaultVhost() {
    const auto names = [](const testing::HttpResult& r) {
      std::vector<std::string> out;
      for (const auto& item : nlohmann::json::parse(r.body)) out.push_back(item.at("name"));
      return out;
    };
    for (const auto& q : names(Api("GET", "/api/queues/%2F"))) {
      Api("DELETE", "/api/queues/%2F/" + Encode(q));
    }
    for (const auto& p : names(Api("GET", "/api/policies/%2F"))) {
      Api("DELETE", "/api/policies/%2F/" + Encode(p));
    }
    for (const auto& e : names(Api("GET", "/api/exchanges/%2F"))) {
      if (!e.empty() && e.rfind("amq.", 0) != 0) Api("DELETE", "/api/exchanges/%2F/" + Encode(e));
    }
  }

  static std::string Encode(const std::string& name) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : name) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return out;
  }

  static testing::HttpResult Api(const std::string& method, const std::string& path,
                                 const std::string& body = "") {
    auto r = Http(method, mgmt_ + path, body, user_, password_);
    EXPECT_EQ(r.error, base::StatusCode::kOk) << method << " " << path << ": " << r.error_message;
    EXPECT_GE(r.status, 200) << method << " " << path;
    EXPECT_LT(r.status, 300) << method << " " << path << ": " << r.body;
    return r;
  }

  static demo::amqp::ConnectionOptions Amqp() {
    demo::amqp::ConnectionOptions o;
    o.host = testenv::Get("rabbitmq", "HOST");
    o.port = std::stoi(testenv::Get("rabbitmq", "AMQP_PORT"));
    o.user = user_;
    o.password = password_;
    return o;
  }

  // Publishes over AMQP through the default exchange; each one confirmed by the broker.
  static void Publish(const std::string& queue, int count) {
    demo::amqp::Connection c(Amqp());
    for (int i = 0; i < count; ++i) c.Publish("", queue, "message " + std::to_string(i));
  }

  // Dead-letters `count` messages by rejecting them without requeue.
  static void Reject(const std::string& queue, int count) {
    demo::amqp::Connection c(Amqp());
    for (int i = 0; i < count; ++i) {
      const auto d = c.Get(queue);
      ASSERT_TRUE(d) << queue << " has only " << i << " messages";
      c.Reject(d->delivery_tag, /*requeue=*/false);
    }
  }

  static RefreshResult Refresh(const RabbitMqSpec& spec) {
    RabbitMqTarget target(spec, std::chrono::seconds(10), testing::SharedHttpClient());
    return target.Refresh(std::stop_token{});
  }

  static RabbitMqSpec Spec() {
    RabbitMqSpec spec;
    spec.url = mgmt_;
    spec.username = {Credential::Source::kLiteral, user_};
    setenv("PULSE_TEST_RABBIT_PASSWORD", password_.c_str(), 1);
    spec.password = {Credential::Source::kEnv, "PULSE_TEST_RABBIT_PASSWORD"};
    return spec;
  }

  // Management API's own figure for a queue field.
  static double ApiQueue(const std::string& queue, const std::string& field) {
    auto r = Api("GET", "/api/queues/%2F/" + queue);
    const auto at = r.body.find("\"" + field + "\":");
    if (at == std::string::npos) return -1;
    return std::strtod(r.body.c_str() + at + field.size() + 3, nullptr);
  }

  static std::string mgmt_, user_, password_;
};
std::string RabbitMqIntegration::mgmt_, RabbitMqIntegration::user_, RabbitMqIntegration::password_;

double Sample(const MetricSet& m, const std::string& name, const std::string& queue) {
  const auto* s = m.Find(name, {{"vhost", "/"}, {"queue", queue}});
  return s ? s->value : -1;
}

TEST_F(RabbitMqIntegration, DeadLetterAndInFlightEqualRabbitMqsOwnFigures) {
  // Dead-lettering by queue argument.
  Api("PUT", "/api/exchanges/%2F/t.dlx.arg", R"({"type":"fanout","durable":true})");
  Api("PUT", "/api/queues/%2F/t.dlq.arg", R"({"durable":true})");
  Api("POST", "/api/bindings/%2F/e/t.dlx.arg/q/t.dlq.arg", "{}");
  Api("PUT", "/api/queues/%2F/t.work.arg",
      R"({"durable":true,"arguments":{"x-dead-letter-exchange":"t.dlx.arg"}})");
  // Dead-lettering by policy, through an exchange-to-exchange binding.
  Api("PUT", "/api/exchanges/%2F/t.dlx.pol", R"({"type":"fanout","durable":true})");
  Api("PUT", "/api/exchanges/%2F/t.dlx.pol.fan", R"({"type":"fanout","durable":true})");
  Api("POST", "/api/bindings/%2F/e/t.dlx.pol/e/t.dlx.pol.fan", "{}");
  Api("PUT", "/api/queues/%2F/t.dlq.pol", R"({"durable":true})");
  Api("POST", "/api/bindings/%2F/e/t.dlx.pol.fan/q/t.dlq.pol", "{}");
  Api("PUT", "/api/policies/%2F/t-dlx",
      R"({"pattern":"^t\\.work\\.pol","definition":{"dead-letter-exchange":"t.dlx.pol"},"apply-to":"queues"})");
  Api("PUT", "/api/queues/%2F/t.work.pol", R"({"durable":true})");
  // TTL expiry under the policy: messages expire after 50 ms and are dead-lettered.
  Api("PUT", "/api/queues/%2F/t.work.pol.ttl",
      R"({"durable":true,"arguments":{"x-message-ttl":50}})");
  // In-flight: a consumer with prefetch 4 that never acks, over 6 messages.
  Api("PUT", "/api/queues/%2F/t.inflight", R"({"durable":true})");

  Publish("t.work.arg", 5);
  Reject("t.work.arg", 5);
  Publish("t.work.pol", 3);
  Reject("t.work.pol", 3);
  Publish("t.work.pol.ttl", 4);
  Publish("t.inflight", 6);
  // A consumer that never acknowledges: with prefetch 4 the broker delivers 4 of the 6.
  auto consumer = std::make_unique<demo::amqp::Connection>(Amqp());
  consumer->Consume("t.inflight", 4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(consumer->Next(std::chrono::seconds(10))) << i;
  EXPECT_FALSE(consumer->Next(std::chrono::milliseconds(200))) << "more than the prefetch";

  // Queue totals in the management API lag a few seconds behind; wait until they settle.
  ASSERT_TRUE(testing::Eventually(
      [&] {
        return ApiQueue("t.dlq.arg", "messages") == 5 && ApiQueue("t.dlq.pol", "messages") == 7 &&
               ApiQueue("t.inflight", "messages_unacknowledged") == 4;
      },
      std::chrono::seconds(30)))
      << "RabbitMQ did not dead-letter/deliver as set up";

  const RefreshResult r = Refresh(Spec());
  ASSERT_TRUE(r.ok) << r.reason << ": " << r.message;
  const MetricSet& m = r.metrics;
  EXPECT_EQ(Sample(m, "pulse_rabbitmq_dead_letter_queue_messages", "t.dlq.arg"), 5);
  EXPECT_EQ(Sample(m, "pulse_rabbitmq_dead_letter_queue_messages", "t.dlq.pol"), 7);
  EXPECT_EQ(m.Find("pulse_rabbitmq_dead_letter_messages")->value, 12);
  EXPECT_EQ(m.Find("pulse_rabbitmq_dead_letter_queues")->value, 2);
  EXPECT_EQ(Sample(m, "pulse_rabbitmq_dead_letter_queue_messages", "t.work.arg"), -1)
      << "a work queue is not a dead-letter queue";
  EXPECT_EQ(Sample(m, "pulse_rabbitmq_queue_messages_unacked", "t.inflight"), 4);
  EXPECT_EQ(Sample(m, "pulse_rabbitmq_queue_messages_ready", "t.inflight"), 2);
  EXPECT_EQ(Sample(m, "pulse_rabbitmq_queue_consumers", "t.inflight"), 1);
  EXPECT_EQ(m.Find("pulse_rabbitmq_messages_unacked")->value, 4);
  EXPECT_TRUE(m.Find("pulse_rabbitmq_queue_dead_letter_exchange_info",
                     {{"queue", "t.work.arg"}, {"exchange", "t.dlx.arg"}, {"source", "argument"}}));
  EXPECT_TRUE(
      m.Find("pulse_rabbitmq_queue_dead_letter_exchange_info",
             {{"queue", "t.work.pol.ttl"}, {"exchange", "t.dlx.pol"}, {"source", "policy"}}));

  // Equal to the management API's figures for every queue.
  for (const char* q : {"t.dlq.arg", "t.dlq.pol", "t.inflight", "t.work.arg", "t.work.pol.ttl"}) {
    EXPECT_EQ(Sample(m, "pulse_rabbitmq_queue_messages_ready", q), ApiQueue(q, "messages_ready"))
        << q;
    EXPECT_EQ(Sample(m, "pulse_rabbitmq_queue_messages_unacked", q),
              ApiQueue(q, "messages_unacknowledged"))
        << q;
  }

  // Equal to rabbitmq_prometheus' per-object figures (they refresh on the stats interval).
  const std::string prom = testenv::Get("rabbitmq", "PROM_URL") + "/metrics/per-object";
  std::string last;
  const bool same = testing::Eventually(
      [&] {
        auto resp = Http("GET", prom);
        last.clear();
        bool all = true;
        for (const char* q : {"t.dlq.arg", "t.dlq.pol", "t.inflight"}) {
          const std::map<std::string, std::string> l = {{"vhost", "/"}, {"queue", q}};
          const auto ready = Value(resp.body, "rabbitmq_queue_messages_ready", l);
          const auto unacked = Value(resp.body, "rabbitmq_queue_messages_unacked", l);
          const auto consumers = Value(resp.body, "rabbitmq_queue_consumers", l);
          last += std::string(q) + " ready=" + std::to_string(ready.value_or(-1)) +
                  " unacked=" + std::to_string(unacked.value_or(-1)) + "; ";
          all = all && ready == Sample(m, "pulse_rabbitmq_queue_messages_ready", q) &&
                unacked == Sample(m, "pulse_rabbitmq_queue_messages_unacked", q) &&
                consumers == Sample(m, "pulse_rabbitmq_queue_consumers", q);
        }
        return all;
      },
      std::chrono::seconds(40));
  EXPECT_TRUE(same) << "rabbitmq_prometheus per-object: " << last;

  // Closing the consumer returns the deliveries: unacked goes back to 0.
  consumer.reset();
  ASSERT_TRUE(
      testing::Eventually([&] { return ApiQueue("t.inflight", "messages_unacknowledged") == 0; },
                          std::chrono::seconds(30)));
  const RefreshResult after = Refresh(Spec());
  ASSERT_TRUE(after.ok);
  EXPECT_EQ(Sample(after.metrics, "pulse_rabbitmq_queue_messages_unacked", "t.inflight"), 0);
  EXPECT_EQ(Sample(after.metrics, "pulse_rabbitmq_queue_messages_ready", "t.inflight"), 6);
}

TEST_F(RabbitMqIntegration, OverrideMarksQueuesByNameAndRegex) {
  Api("PUT", "/api/queues/%2F/o.parking", R"({"durable":true})");
  Api("PUT", "/api/queues/%2F/o.errors.dead", R"({"durable":true})");
  Publish("o.parking", 2);
  RabbitMqSpec spec = Spec();
  spec.dead_letter_queues.names = {"o.parking"};
  spec.dead_letter_queues.regex = R"(.*\.dead)";
  ASSERT_TRUE(testing::Eventually([&] { return ApiQueue("o.parking", "messages") == 2; },
                                  std::chrono::seconds(30)));
  const RefreshResult r = Refresh(spec);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(Sample(r.metrics, "pulse_rabbitmq_dead_letter_queue_messages", "o.parking"), 2);
  EXPECT_EQ(Sample(r.metrics, "pulse_rabbitmq_dead_letter_queue_messages", "o.errors.dead"), 0);
}

TEST_F(RabbitMqIntegration, PagesThroughMoreThan500Queues) {
  for (int i = 0; i < 520; ++i) {
    Api("PUT", "/api/queues/%2F/p.queue." + std::to_string(i), R"({"durable":false})");
  }
  const RefreshResult r = Refresh(Spec());
  ASSERT_TRUE(r.ok) << r.message;
  const auto listing = Api("GET", "/api/queues?page=1&page_size=1&disable_stats=true");
  const auto at = listing.body.find("\"total_count\":");
  ASSERT_NE(at, std::string::npos);
  const double total = std::strtod(listing.body.c_str() + at + 14, nullptr);
  EXPECT_GE(total, 520);
  EXPECT_EQ(r.metrics.Find("pulse_rabbitmq_queues")->value, total);
  EXPECT_TRUE(r.metrics.Find("pulse_rabbitmq_queue_messages", {{"queue", "p.queue.519"}}));
  EXPECT_TRUE(r.metrics.Find("pulse_rabbitmq_queue_messages", {{"queue", "p.queue.0"}}));
}

TEST_F(RabbitMqIntegration, WrongPasswordIsAnAuthError) {
  RabbitMqSpec spec = Spec();
  setenv("PULSE_TEST_WRONG", "not-the-password", 1);
  spec.password = {Credential::Source::kEnv, "PULSE_TEST_WRONG"};
  const RefreshResult r = Refresh(spec);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "auth");
  EXPECT_EQ(r.message.find("not-the-password"), std::string::npos);
}

TEST_F(RabbitMqIntegration, NothingListeningIsAConnectError) {
  RabbitMqSpec spec = Spec();
  const pulse::testing::LoopbackListener nobody(pulse::testing::LoopbackListener::Mode::kRefuse);
  spec.url = "http://127.0.0.1:" + std::to_string(nobody.port());
  const RefreshResult r = Refresh(spec);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "connect") << r.message;
}

}  // namespace
}  // namespace pulse::exporter
