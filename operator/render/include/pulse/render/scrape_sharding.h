// Splitting the scrape targets over N Prometheus servers (docs/sharding.md), the way
// prometheus-operator shards: every scrape job of shard i ends with two relabel rules,
//   hashmod of __address__ modulus N into a temporary label, then keep when it equals i,
// so each target is scraped by exactly one shard whatever the job. The rules come after the
// user's relabelings, because those may rewrite __address__ and the hash must be of the address
// that is actually scraped.
//
// Each shard's config gets the external label prometheus_shard="<i>", so its series stay
// distinct from the other shards' in a remote-write store or a federating Prometheus. Shard
// configs have no rule_files and no alerting section: pulse's rules aggregate across targets
// and alert on absent targets, which a shard that sees a subset of the targets would get wrong
// (an absent-target alert would fire on every shard that does not scrape the job). The rules
// run where every shard's series are (docs/sharding.md "Where the rules run"). Jobs in
// scrape_config_files are not pulse's to relabel, so only shard 0 loads those files.
//
// Count 1 is no sharding: RenderShardedPrometheusConfigs returns the plain prometheus.yml,
// byte-identical to RenderPrometheusConfig.
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pulse/render/render_inputs.h"
#include "pulse/render/yaml_writer.h"

namespace pulse::render {

// The largest shard count accepted by the CLI flags: far more Prometheus servers than a
// monitoring stack of one operator runs, small enough that a typo (--shards 1000) is caught.
inline constexpr std::uint32_t kMaxShards = 64;
// External label that tells the shards' series apart.
inline constexpr const char* kShardExternalLabel = "prometheus_shard";
// Temporary label of the hashmod result; "__tmp_" labels are dropped after relabelling.
inline constexpr const char* kShardHashLabel = "__tmp_pulse_shard";

// Writes the hashmod + keep rules of `shard` as items of an open relabel_configs sequence;
// nothing when shard.count <= 1.
void WriteShardRelabelRules(YamlWriter& w, const ShardSelector& shard);

// Config file name of shard `index`: "prometheus-shard-<index>.yml".
std::string ShardConfigPath(std::uint32_t index);

// Count 1: {"prometheus.yml", RenderPrometheusConfig(inputs)}. Count N > 1: N files
// ShardConfigPath(0..N-1), shard i scraping its part of every job, with the external label
// kShardExternalLabel="<i>" (replacing one of that name in the options) and neither rule_files
// nor alerting; scrape_config_files only in shard 0. Precondition: 1 <= count <= kMaxShards
// (callers validate the flag).
std::vector<RenderedFile> RenderShardedPrometheusConfigs(const RenderInputs& inputs,
                                                         std::uint32_t count);

}  // namespace pulse::render
