// The seeded hash of SpaceSaving's keys, in a header so that a caller hashing outside its lock
// (UserTopK::Record) inlines it: as a call across translation units it cost a prologue and an
// epilogue on top of its twenty-odd instructions.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace pulse::red::internal {

__extension__ typedef unsigned __int128 U128;  // GCC/Clang; __extension__ for -Wpedantic

// 64 × 64 → 128-bit multiply, halves xored: one multiply mixes every input bit into every
// output bit about as well as two rounds of a shift-multiply finaliser, at half the latency.
inline std::uint64_t Fold(std::uint64_t a, std::uint64_t b) noexcept {
  const U128 p = static_cast<U128>(a) * b;
  return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}

inline std::uint64_t Load64(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline std::uint64_t Load32(const char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline constexpr std::uint64_t kK1 = 0xa0761d6478bd642fULL;
inline constexpr std::uint64_t kK2 = 0xe7037ed1a0b428dbULL;

// Seeded per instance: a per-process random seed keeps a client from choosing ids that all land
// in one probe run of the index. User ids are short, so ids up to 16 bytes take two fixed-size
// (overlapping) loads and two multiplies, with no loop and no variable-length copy; this was a
// fifth of the top-K's time with an 8-bytes-per-round shift-multiply hash. The length enters the
// final fold, so overlapping loads of ids of different lengths do not collide systematically.
inline std::uint64_t HashKey(std::string_view key, std::uint64_t seed) noexcept {
  const char* p = key.data();
  const std::size_t n = key.size();
  std::uint64_t a = 0, b = 0, h = seed;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (std::uint64_t{static_cast<unsigned char>(p[0])} << 16) |
          (std::uint64_t{static_cast<unsigned char>(p[n >> 1])} << 8) |
          static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    std::size_t i = 0;
    for (; i + 16 < n; i += 16) h = Fold(Load64(p + i) ^ kK1, Load64(p + i + 8) ^ h);
    a = Load64(p + n - 16);
    b = Load64(p + n - 8);
  }
  return Fold(kK2 ^ n, Fold(a ^ kK1, b ^ h));
}

}  // namespace pulse::red::internal
