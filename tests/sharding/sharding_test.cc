// What sharding promises in the rendered config (docs/sharding.md): one shard is today's
// prometheus.yml byte for byte; N shards are N configs whose every scrape job ends with the
// hashmod/keep pair of its shard number, after the user's relabelings, with the external label
// prometheus_shard and without rules or alerting. The split of real targets is tested with two
// real Prometheus servers (two_prometheus_test.py).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "pulse/render/render.h"
#include "pulse/render/scrape_sharding.h"

namespace pulse::render {
namespace {

model::ApiMonitor Discovered(const std::string& name) {
  model::ApiMonitor m;
  m.metadata.namespace_ = "shop";
  m.metadata.name = name;
  model::LabelSelector sel;
  sel.match_labels["app"] = name;
  m.spec.selector = sel;
  model::Endpoint ep;
  ep.port = "http";
  model::RelabelConfig rewrite;
  rewrite.source_labels = {"__address__"};
  rewrite.target_label = "__address__";
  rewrite.action = model::RelabelAction::kReplace;
  ep.relabelings.push_back(rewrite);
  m.spec.endpoints.push_back(ep);
  return m;
}

model::ApiMonitor Static(const std::string& name) {
  model::ApiMonitor m;
  m.metadata.namespace_ = "shop";
  m.metadata.name = name;
  m.spec.static_targets.push_back({{"10.0.0.1:80", "10.0.0.2:80"}, {}});
  m.spec.endpoints.push_back(model::Endpoint{});
  return m;
}

model::Exporter Exporter(const std::string& name) {
  model::Exporter e;
  e.metadata.namespace_ = "shop";
  e.metadata.name = name;
  return e;
}

struct Objects {
  std::vector<model::ApiMonitor> monitors = {Discovered("orders"), Static("edge")};
  std::vector<model::Exporter> exporters = {Exporter("db")};
  RenderInputs Inputs() const {
    RenderInputs in{monitors, exporters, {}};
    in.options.alertmanagers = {"alertmanager:9093"};
    in.options.external_labels["cluster"] = "eu";
    return in;
  }
};

TEST(Sharding, OneShardIsThePlainConfig) {
  const Objects o;
  const auto files = RenderShardedPrometheusConfigs(o.Inputs(), 1);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "prometheus.yml");
  EXPECT_EQ(files[0].content, RenderPrometheusConfig(o.Inputs()));
  EXPECT_EQ(files[0].content.find("hashmod"), std::string::npos);
  EXPECT_NE(files[0].content.find("rule_files"), std::string::npos);
}

TEST(Sharding, EveryJobOfEveryShardEndsWithItsHashmodAndKeep) {
  const Objects o;
  for (std::uint32_t n : {2u, 3u, 4u}) {
    const auto files = RenderShardedPrometheusConfigs(o.Inputs(), n);
    ASSERT_EQ(files.size(), n);
    for (std::uint32_t i = 0; i < n; ++i) {
      SCOPED_TRACE("shard " + std::to_string(i) + " of " + std::to_string(n));
      EXPECT_EQ(files[i].path, "prometheus-shard-" + std::to_string(i) + ".yml");
      const YAML::Node config = YAML::Load(files[i].content);
      const YAML::Node jobs = config["scrape_configs"];
      ASSERT_EQ(jobs.size(), 3u);  // orders, edge, the exporter
      for (const auto& job : jobs) {
        SCOPED_TRACE(job["job_name"].as<std::string>());
        const YAML::Node rules = job["relabel_configs"];
        ASSERT_GE(rules.size(), 2u);
        const YAML::Node hash = rules[rules.size() - 2];
        EXPECT_EQ(hash["action"].as<std::string>(), "hashmod");
        EXPECT_EQ(hash["source_labels"][0].as<std::string>(), "__address__");
        EXPECT_EQ(hash["source_labels"].size(), 1u);
        EXPECT_EQ(hash["modulus"].as<std::uint32_t>(), n);
        EXPECT_EQ(hash["target_label"].as<std::string>(), kShardHashLabel);
        const YAML::Node keep = rules[rules.size() - 1];
        EXPECT_EQ(keep["action"].as<std::string>(), "keep");
        EXPECT_EQ(keep["source_labels"][0].as<std::string>(), kShardHashLabel);
        EXPECT_EQ(keep["regex"].as<std::string>(), std::to_string(i));
      }
      EXPECT_EQ(config["global"]["external_labels"][kShardExternalLabel].as<std::string>(),
                std::to_string(i));
      EXPECT_EQ(config["global"]["external_labels"]["cluster"].as<std::string>(), "eu");
      EXPECT_FALSE(config["rule_files"]) << "a shard sees part of the targets: no rules";
      EXPECT_FALSE(config["alerting"]);
    }
  }
}

TEST(Sharding, HashIsOfTheAddressAfterTheUsersRelabelings) {
  const Objects o;
  const auto files = RenderShardedPrometheusConfigs(o.Inputs(), 2);
  YAML::Node rules;
  for (const auto& job : YAML::Load(files[0].content)["scrape_configs"]) {
    if (job["job_name"].as<std::string>() == "apimonitor/shop/orders/0") {
      rules = job["relabel_configs"];
    }
  }
  ASSERT_TRUE(rules.IsSequence());
  // The user's __address__ rewrite comes right before the shard pair.
  const YAML::Node user = rules[rules.size() - 3];
  EXPECT_EQ(user["target_label"].as<std::string>(), "__address__");
  EXPECT_EQ(rules[rules.size() - 2]["action"].as<std::string>(), "hashmod");
}

TEST(Sharding, ShardsDifferOnlyInTheirNumber) {
  const Objects o;
  const auto files = RenderShardedPrometheusConfigs(o.Inputs(), 3);
  auto normalise = [](std::string text, std::uint32_t i) {
    const std::string label = "prometheus_shard: \"" + std::to_string(i) + "\"";
    const std::string keep = "regex: \"" + std::to_string(i) + "\"";
    for (const std::string& s : {label, keep}) {
      for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s)) {
        text.replace(pos, s.size(), "<shard>");
      }
    }
    return text;
  };
  const std::string first = normalise(files[0].content, 0);
  EXPECT_NE(first, files[0].content);
  for (std::uint32_t i = 1; i < 3; ++i) EXPECT_EQ(normalise(files[i].content, i), first);
}

TEST(Sharding, ShardLabelReplacesAUserExternalLabelOfThatName) {
  Objects o;
  RenderInputs in = o.Inputs();
  in.options.external_labels[kShardExternalLabel] = "mine";
  const auto files = RenderShardedPrometheusConfigs(in, 2);
  EXPECT_EQ(YAML::Load(files[1].content)["global"]["external_labels"][kShardExternalLabel]
                .as<std::string>(),
            "1");
}

// The chart's own jobs (cAdvisor, node-exporter) come in through scrape_config_files, which
// pulse cannot relabel: shard 0 alone loads them, so their targets are scraped once.
TEST(Sharding, ScrapeConfigFilesOnlyInShardZero) {
  Objects o;
  RenderInputs in = o.Inputs();
  in.options.scrape_config_files = {"/etc/prometheus/scrape/*.yaml"};
  const auto files = RenderShardedPrometheusConfigs(in, 3);
  ASSERT_EQ(files.size(), 3u);
  const YAML::Node first = YAML::Load(files[0].content)["scrape_config_files"];
  ASSERT_TRUE(first.IsSequence());
  EXPECT_EQ(first[0].as<std::string>(), "/etc/prometheus/scrape/*.yaml");
  for (std::size_t i = 1; i < files.size(); ++i) {
    EXPECT_FALSE(YAML::Load(files[i].content)["scrape_config_files"]) << "shard " << i;
  }
  // Unsharded, the one Prometheus loads them.
  EXPECT_TRUE(YAML::Load(RenderShardedPrometheusConfigs(in, 1)[0].content)["scrape_config_files"]);
}

TEST(Sharding, NoObjectsStillGivesEveryShardAValidConfig) {
  const auto files = RenderShardedPrometheusConfigs(RenderInputs{}, 2);
  ASSERT_EQ(files.size(), 2u);
  for (const auto& f : files) {
    const YAML::Node config = YAML::Load(f.content);
    EXPECT_TRUE(config["global"]);
    EXPECT_EQ(config["scrape_configs"].size(), 0u);
  }
}

}  // namespace
}  // namespace pulse::render
