// The rabbitmq-c wrapper (pulse::demo::amqp::Connection) against the real RabbitMQ fixture:
// publish with confirms, consume with manual ack/nack/reject, dead-lettering into a DLQ, and the
// broker's own reply text in errors. Plus the URL parser and the demo consumer's policy, pure.
#include "pulse/demo/amqp_connection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <set>

#include "consumer_policy.h"
#include "demo_test_support.h"
#include "pulse/testing/eventually.h"
#include "pulse/testing/loopback_listener.h"

namespace pulse::demo::amqp {
namespace {

ConnectionOptions Broker() { return demo::testing::RealAmqp(); }

// Names unique to this process: the broker is shared with other tests.
std::string Name(const std::string& what) {
  return "amqptest." + std::to_string(::getpid()) + "." + what;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const AmqpError& e) {
    return e.what();
  }
  return "";
}

class AmqpConnection : public ::testing::Test {
 protected:
  void TearDown() override {
    Connection c(Broker());
    for (const auto& q : queues_) c.DeleteQueue(q);
    for (const auto& e : exchanges_) c.DeleteExchange(e);
  }
  std::string Queue(const std::string& what) { return queues_.emplace_back(Name(what)); }
  std::string Exchange(const std::string& what) { return exchanges_.emplace_back(Name(what)); }

  std::vector<std::string> queues_, exchanges_;
};

TEST_F(AmqpConnection, PublishIsConfirmedThenConsumedAndAcknowledged) {
  const std::string q = Queue("work");
  Connection c(Broker());
  c.DeclareQueue(q);
  c.Publish("", q, R"({"n":1})");
  c.Publish("", q, R"({"n":2})");
  // A confirm means the broker has the message: the count is exact without waiting.
  EXPECT_EQ(c.MessageCount(q), 2u);

  c.Consume(q, 10);
  const auto first = c.Next(std::chrono::seconds(10));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, R"({"n":1})");
  EXPECT_EQ(first->routing_key, q);
  EXPECT_FALSE(first->redelivered);
  c.Ack(first->delivery_tag);
  const auto second = c.Next(std::chrono::seconds(10));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, R"({"n":2})");
  c.Ack(second->delivery_tag);
  EXPECT_FALSE(c.Next(std::chrono::milliseconds(200)));
  EXPECT_EQ(c.MessageCount(q), 0u);
}

TEST_F(AmqpConnection, NackedAndRejectedMessagesAreDeadLetteredRequeuedOnesComeBack) {
  const std::string dlx = Exchange("dlx"), dlq = Queue("dlq"), work = Queue("dl-work");
  Connection c(Broker());
  c.DeclareExchange(dlx, "fanout");
  c.DeclareQueue(dlq);
  c.Bind(dlq, dlx, "");
  c.DeclareQueue(work, {{"x-dead-letter-exchange", dlx}, {"x-message-ttl", std::int64_t{600000}}});
  for (const char* body : {"nack me", "reject me", "requeue me"}) c.Publish("", work, body);

  c.Consume(work, 10);
  std::map<std::string, std::uint64_t> tags;
  for (int i = 0; i < 3; ++i) {
    const auto d = c.Next(std::chrono::seconds(10));
    ASSERT_TRUE(d) << "delivery " << i;
    tags[d->body] = d->delivery_tag;
  }
  c.Nack(tags.at("nack me"), /*requeue=*/false);
  c.Reject(tags.at("reject me"), /*requeue=*/false);
  c.Nack(tags.at("requeue me"), /*requeue=*/true);
  const auto again = c.Next(std::chrono::seconds(10));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "requeue me");
  EXPECT_TRUE(again->redelivered);
  c.Ack(again->delivery_tag);

  // Dead-lettering runs in the queue process after the nack: wait for the DLQ to hold both.
  Connection reader(Broker());
  ASSERT_TRUE(pulse::testing::Eventually([&] { return reader.MessageCount(dlq) == 2; }))
      << reader.MessageCount(dlq);
  std::set<std::string> dead;
  while (const auto d = reader.Get(dlq)) {
    dead.insert(d->body);
    EXPECT_EQ(d->exchange, dlx);
    reader.Ack(d->delivery_tag);
  }
  EXPECT_EQ(dead, (std::set<std::string>{"nack me", "reject me"}));
  EXPECT_EQ(reader.MessageCount(work), 0u);
}

TEST_F(AmqpConnection, UnroutablePublishIsAnErrorAndTheConnectionStaysUsable) {
  const std::string q = Queue("routable");
  Connection c(Broker());
  c.DeclareQueue(q);
  const std::string error = ErrorOf([&] { c.Publish("", Name("nowhere"), "lost"); });
  EXPECT_NE(error.find("312 NO_ROUTE"), std::string::npos) << error;
  c.Publish("", q, "kept");
  EXPECT_EQ(c.MessageCount(q), 1u);
}

TEST_F(AmqpConnection, BrokerRefusalsCarryItsReplyText) {
  Connection c(Broker());
  const std::string no_exchange = ErrorOf([&] { c.Publish(Name("no-exchange"), "k", "x"); });
  EXPECT_NE(no_exchange.find("404 NOT_FOUND - no exchange"), std::string::npos) << no_exchange;
  // The broker closed the channel: the connection says so instead of hanging.
  const std::string after = ErrorOf([&] { c.MessageCount("x"); });
  EXPECT_NE(after.find("unusable"), std::string::npos) << after;

  Connection d(Broker());
  const std::string no_queue = ErrorOf([&] { d.Consume(Name("no-queue"), 1); });
  EXPECT_NE(no_queue.find("404 NOT_FOUND - no queue"), std::string::npos) << no_queue;

  Connection e(Broker());
  const std::string q = Queue("durable");
  e.DeclareQueue(q);
  const std::string mismatch = ErrorOf([&] { e.DeclareQueue(q, {}, /*durable=*/false); });
  EXPECT_NE(mismatch.find("406 PRECONDITION_FAILED"), std::string::npos) << mismatch;
}

TEST(AmqpConnect, WrongPasswordAndNothingListeningAreClearErrors) {
  ConnectionOptions wrong = Broker();
  wrong.password = "not-the-password";
  const std::string refused = ErrorOf([&] { Connection c(wrong); });
  EXPECT_NE(refused.find("ACCESS_REFUSED"), std::string::npos) << refused;
  EXPECT_EQ(refused.find("not-the-password"), std::string::npos) << refused;

  pulse::testing::LoopbackListener closed(pulse::testing::LoopbackListener::Mode::kRefuse);
  ConnectionOptions nobody = Broker();
  nobody.port = closed.port();
  const std::string connect = ErrorOf([&] { Connection c(nobody); });
  EXPECT_NE(connect.find("connect 127.0.0.1:" + std::to_string(closed.port())), std::string::npos)
      << connect;

  // Accepts TCP but never speaks AMQP: the handshake timeout applies.
  pulse::testing::LoopbackListener silent;
  ConnectionOptions stalled = Broker();
  stalled.port = silent.port();
  stalled.connect_timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  const std::string timeout = ErrorOf([&] { Connection c(stalled); });
  EXPECT_NE(timeout.find("login"), std::string::npos) << timeout;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(AmqpUrl, ParsesCredentialsHostPortAndVhost) {
  const ConnectionOptions o = ParseUrl("amqp://bob:s%40cret@10.0.0.1:5673/");
  EXPECT_EQ(o.user, "bob");
  EXPECT_EQ(o.password, "s@cret");
  EXPECT_EQ(o.host, "10.0.0.1");
  EXPECT_EQ(o.port, 5673);
  EXPECT_EQ(o.vhost, "/");
  EXPECT_EQ(ParseUrl("amqp://h/shop").vhost, "shop");
  EXPECT_EQ(ParseUrl("amqp://h").port, 5672);
  EXPECT_THROW(ParseUrl("http://h:15672"), std::invalid_argument);
  EXPECT_THROW(ParseUrl("amqps://h"), std::invalid_argument);
}

TEST(ConsumerPolicy, HoldsThenRejectsEveryKth) {
  const shop::ConsumerPolicy p{2, 3};
  using A = shop::DeliveryAction;
  const A expected[] = {A::kHold,   A::kHold, A::kAck, A::kAck,
                        A::kReject, A::kAck,  A::kAck, A::kReject};
  for (std::uint64_t n = 1; n <= 8; ++n) EXPECT_EQ(p.Decide(n), expected[n - 1]) << n;
  const shop::ConsumerPolicy never{0, 0};
  for (std::uint64_t n = 1; n <= 5; ++n) EXPECT_EQ(never.Decide(n), A::kAck);
}

}  // namespace
}  // namespace pulse::demo::amqp
