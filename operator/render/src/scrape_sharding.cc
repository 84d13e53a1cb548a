#include "pulse/render/scrape_sharding.h"

#include "pulse/render/render.h"
#include "pulse/render/scrape_config_renderer.h"

namespace pulse::render {

void WriteShardRelabelRules(YamlWriter& w, const ShardSelector& shard) {
  if (shard.count <= 1) return;
  w.BeginMap();
  w.Key("source_labels");
  w.BeginSeq();
  w.String("__address__");
  w.EndSeq();
  w.Key("target_label");
  w.String(kShardHashLabel);
  w.Key("modulus");
  w.Int(static_cast<std::int64_t>(shard.count));
  w.Key("action");
  w.String("hashmod");
  w.EndMap();

  w.BeginMap();
  w.Key("source_labels");
  w.BeginSeq();
  w.String(kShardHashLabel);
  w.EndSeq();
  w.Key("regex");
  w.String(std::to_string(shard.index));
  w.Key("action");
  w.String("keep");
  w.EndMap();
}

std::string ShardConfigPath(std::uint32_t index) {
  return "prometheus-shard-" + std::to_string(index) + ".yml";
}

std::vector<RenderedFile> RenderShardedPrometheusConfigs(const RenderInputs& inputs,
                                                         std::uint32_t count) {
  if (count <= 1) return {{kPrometheusConfigPath, RenderPrometheusConfig(inputs)}};
  std::vector<RenderedFile> files;
  files.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    // The inputs only view the objects, so a copy per shard costs the options, not the objects.
    RenderInputs shard = inputs;
    shard.options.shard = {count, i};
    shard.options.external_labels[kShardExternalLabel] = std::to_string(i);
    // A shard sees a subset of the targets: rules and alerts run where all of them are.
    shard.options.rule_files_glob.clear();
    shard.options.alertmanagers.clear();
    // scrape_config_files hold jobs pulse does not render (the chart's cAdvisor and
    // node-exporter jobs), so it cannot add the hashmod rules to them: shard 0 alone loads them,
    // and their targets are scraped once, not N times.
    if (i != 0) shard.options.scrape_config_files.clear();
    files.push_back({ShardConfigPath(i), RenderPrometheusConfig(shard)});
  }
  return files;
}

}  // namespace pulse::render
