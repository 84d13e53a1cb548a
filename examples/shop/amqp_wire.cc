#include "amqp_wire.h"

#include <stdexcept>

namespace pulse::demo::amqp {

void PutU8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }
void PutU16(std::string& out, std::uint16_t v) {
  PutU8(out, static_cast<std::uint8_t>(v >> 8));
  PutU8(out, static_cast<std::uint8_t>(v));
}
void PutU32(std::string& out, std::uint32_t v) {
  PutU16(out, static_cast<std::uint16_t>(v >> 16));
  PutU16(out, static_cast<std::uint16_t>(v));
}
void PutU64(std::string& out, std::uint64_t v) {
  PutU32(out, static_cast<std::uint32_t>(v >> 32));
  PutU32(out, static_cast<std::uint32_t>(v));
}
void PutShortString(std::string& out, std::string_view s) {
  if (s.size() > 255) throw std::invalid_argument("amqp: short string longer than 255 bytes");
  PutU8(out, static_cast<std::uint8_t>(s.size()));
  out.append(s);
}
void PutLongString(std::string& out, std::string_view s) {
  PutU32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

std::string EncodeFrame(std::uint8_t type, std::uint16_t channel, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 8);
  PutU8(out, type);
  PutU16(out, channel);
  PutU32(out, static_cast<std::uint32_t>(payload.size()));
  out.append(payload);
  PutU8(out, kFrameEnd);
  return out;
}

std::string EncodeMethod(std::uint16_t channel, std::uint16_t class_id, std::uint16_t method_id,
                         std::string_view arguments) {
  std::string payload;
  PutU16(payload, class_id);
  PutU16(payload, method_id);
  payload.append(arguments);
  return EncodeFrame(kFrameMethod, channel, payload);
}

std::optional<Frame> TakeFrame(std::string& buffer, std::size_t max_frame_bytes) {
  if (buffer.size() < 7) return std::nullopt;
  Reader head(std::string_view(buffer).substr(0, 7));
  Frame f;
  f.type = head.U8();
  f.channel = head.U16();
  const std::uint32_t size = head.U32();
  if (size > max_frame_bytes) {
    throw std::runtime_error("amqp: frame of " + std::to_string(size) + " bytes exceeds the " +
                             std::to_string(max_frame_bytes) + "-byte limit");
  }
  if (buffer.size() < 7 + std::size_t{size} + 1) return std::nullopt;
  if (static_cast<std::uint8_t>(buffer[7 + size]) != kFrameEnd) {
    throw std::runtime_error("amqp: frame does not end with 0xCE");
  }
  f.payload = buffer.substr(7, size);
  buffer.erase(0, 7 + std::size_t{size} + 1);
  return f;
}

std::string_view Reader::Take(std::size_t n) {
  if (n > data_.size() - pos_) throw std::runtime_error("amqp: truncated field");
  const std::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}
std::uint8_t Reader::U8() { return static_cast<std::uint8_t>(Take(1)[0]); }
std::uint16_t Reader::U16() {
  const std::uint16_t hi = U8();
  return static_cast<std::uint16_t>((hi << 8) | U8());
}
std::uint32_t Reader::U32() {
  const std::uint32_t hi = U16();
  return (hi << 16) | U16();
}
std::uint64_t Reader::U64() {
  const std::uint64_t hi = U32();
  return (hi << 32) | U32();
}
std::string Reader::ShortString() { return std::string(Take(U8())); }
std::string Reader::LongString() { return std::string(Take(U32())); }

}  // namespace pulse::demo::amqp
