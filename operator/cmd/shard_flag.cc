#include "shard_flag.h"

#include <charconv>

#include "pulse/render/scrape_sharding.h"

namespace pulse::cli {
namespace {

std::string ParseWhole(const std::string& flag, const std::string& text, std::uint32_t lo,
                       std::uint32_t hi, std::uint32_t* out) {
  std::uint32_t n = 0;
  const char* end = text.data() + text.size();
  const auto res = std::from_chars(text.data(), end, n);
  if (res.ec != std::errc() || res.ptr != end || n < lo || n > hi) {
    return flag + " wants a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
           ", got \"" + text + "\"";
  }
  *out = n;
  return "";
}

}  // namespace

std::string ParseShardCount(const std::string& flag, const std::string& text, std::uint32_t* out) {
  return ParseWhole(flag, text, 1, render::kMaxShards, out);
}

std::string ParseShardIndex(const std::string& flag, const std::string& text, std::uint32_t* out) {
  return ParseWhole(flag, text, 0, render::kMaxShards - 1, out);
}

std::string ShardConfigSecret(const std::string& config_secret, std::uint32_t index) {
  return config_secret + "-shard-" + std::to_string(index);
}

}  // namespace pulse::cli
