// The few AMQP 0-9-1 frames the demo consumer needs, encoded and decoded as bytes — pure
// functions, unit-tested without a broker (amqp_consumer.cc does the socket I/O).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pulse::demo::amqp {

inline constexpr std::string_view kProtocolHeader{"AMQP\x00\x00\x09\x01", 8};
inline constexpr std::uint8_t kFrameMethod = 1, kFrameHeader = 2, kFrameBody = 3,
                              kFrameHeartbeat = 8, kFrameEnd = 0xCE;

struct Frame {
  std::uint8_t type = 0;
  std::uint16_t channel = 0;
  std::string payload;
};

// Appends big-endian integers and AMQP short/long strings to `out`.
void PutU8(std::string& out, std::uint8_t v);
void PutU16(std::string& out, std::uint16_t v);
void PutU32(std::string& out, std::uint32_t v);
void PutU64(std::string& out, std::uint64_t v);
void PutShortString(std::string& out, std::string_view s);  // throws if longer than 255
void PutLongString(std::string& out, std::string_view s);

// A whole frame: type, channel, size, payload, frame-end octet.
std::string EncodeFrame(std::uint8_t type, std::uint16_t channel, std::string_view payload);
// A method frame's payload starts with class id and method id.
std::string EncodeMethod(std::uint16_t channel, std::uint16_t class_id, std::uint16_t method_id,
                         std::string_view arguments);

// Takes one complete frame off the front of `buffer`. nullopt when more bytes are needed.
// Throws std::runtime_error on a malformed frame (bad frame-end octet, frame larger than
// max_frame_bytes).
std::optional<Frame> TakeFrame(std::string& buffer, std::size_t max_frame_bytes = 1 << 20);

// Reads big-endian fields from a payload; throws std::runtime_error when it runs past the end.
// Holds a view: the payload must outlive the Reader.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  std::uint8_t U8();
  std::uint16_t U16();
  std::uint32_t U32();
  std::uint64_t U64();
  std::string ShortString();
  std::string LongString();
  std::size_t remaining() const noexcept { return data_.size() - pos_; }

 private:
  std::string_view Take(std::size_t n);
  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace pulse::demo::amqp
