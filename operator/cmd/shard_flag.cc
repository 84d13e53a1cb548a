#include "shard_flag.h"

#include "flag_value.h"
#include "pulse/render/scrape_sharding.h"

namespace pulse::cli {
namespace {

std::string ParseWhole(const std::string& flag, const std::string& text, std::uint32_t lo,
                       std::uint32_t hi, std::uint32_t* out) {
  if (!ParseInRange(text, lo, hi, out)) {
    return flag + " wants a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
           ", got \"" + text + "\"";
  }
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
