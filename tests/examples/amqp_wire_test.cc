// AMQP frame encoding/decoding and the consumer policy, without a broker.
#include "amqp_wire.h"

#include <gtest/gtest.h>

#include "consumer_policy.h"

namespace pulse::demo {
namespace {

TEST(AmqpWire, EncodesAMethodFrameByteForByte) {
  std::string args;
  amqp::PutShortString(args, "/");
  const std::string f = amqp::EncodeMethod(0, 10, 40, args);
  EXPECT_EQ(f, std::string("\x01\x00\x00\x00\x00\x00\x06\x00\x0a\x00\x28\x01/\xce", 14));
}

TEST(AmqpWire, TakesFramesOnlyWhenComplete) {
  std::string buffer = amqp::EncodeFrame(amqp::kFrameBody, 1, "hello") +
                       amqp::EncodeFrame(amqp::kFrameHeartbeat, 0, "");
  std::string partial = buffer.substr(0, 9);
  EXPECT_FALSE(amqp::TakeFrame(partial));
  EXPECT_EQ(partial.size(), 9u);  // nothing consumed
  auto f = amqp::TakeFrame(buffer);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type, amqp::kFrameBody);
  EXPECT_EQ(f->channel, 1);
  EXPECT_EQ(f->payload, "hello");
  f = amqp::TakeFrame(buffer);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type, amqp::kFrameHeartbeat);
  EXPECT_TRUE(buffer.empty());
}

TEST(AmqpWire, RejectsMalformedFrames) {
  std::string bad_end = amqp::EncodeFrame(amqp::kFrameBody, 1, "x");
  bad_end.back() = '\x00';
  EXPECT_THROW(amqp::TakeFrame(bad_end), std::runtime_error);
  std::string huge("\x03\x00\x01\xff\xff\xff\xff", 7);
  EXPECT_THROW(amqp::TakeFrame(huge), std::runtime_error);
  amqp::Reader r(
      std::string_view("\x05"
                       "ab",
                       3));
  EXPECT_THROW(r.ShortString(), std::runtime_error);  // claims 5 bytes, has 2
  std::string out;
  EXPECT_THROW(amqp::PutShortString(out, std::string(256, 'x')), std::invalid_argument);
}

TEST(AmqpWire, ReadsBigEndianFields) {
  std::string s;
  amqp::PutU16(s, 0x0102);
  amqp::PutU32(s, 0x03040506);
  amqp::PutU64(s, 0x0708090a0b0c0d0eULL);
  amqp::PutLongString(s, "long");
  amqp::Reader r(s);
  EXPECT_EQ(r.U16(), 0x0102);
  EXPECT_EQ(r.U32(), 0x03040506u);
  EXPECT_EQ(r.U64(), 0x0708090a0b0c0d0eULL);
  EXPECT_EQ(r.LongString(), "long");
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_THROW(r.U8(), std::runtime_error);
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
}  // namespace pulse::demo
