// The shard flags of pulse-operator (docs/sharding.md): `render --shards N`, `run --shards N` and
// `config-sync --shard I`, parsed and range-checked in one place so the three commands accept
// the same values and say the same thing about a bad one. Pure; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

namespace pulse::cli {

// "--shards" value: a whole number from 1 to render::kMaxShards into *out. Returns "" or the
// message ("--shards wants a whole number from 1 to 64, got \"0\"").
std::string ParseShardCount(const std::string& flag, const std::string& text, std::uint32_t* out);

// "--shard" value: a whole number from 0 to render::kMaxShards - 1 into *out. Returns "" or the
// message.
std::string ParseShardIndex(const std::string& flag, const std::string& text, std::uint32_t* out);

// The config Secret of shard `index` when there are several: "<config_secret>-shard-<index>".
// Without sharding (one shard, no --shard flag) the name stays `config_secret`. The shard's parts
// are "<that name>-1", ... (delivery.h), which no other shard's config sync takes for its own:
// a part's name is its head's name plus digits only.
std::string ShardConfigSecret(const std::string& config_secret, std::uint32_t index);

}  // namespace pulse::cli
