// `run --shards N` delivery (docs/sharding.md): the config reconciler writes one config Secret
// set per shard under the names it is given, each holding that shard's config, and none under
// the unsharded name; going back to one shard deletes the shard Secrets.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <vector>

#include "../controller/fake_object_writer.h"
#include "pulse/controller/config_reconciler.h"
#include "pulse/controller/resources.h"
#include "pulse/render/scrape_config_renderer.h"

namespace pulse::controller {
namespace {

std::vector<Json> SecretsNamed(const testing::FakeObjectWriter& writer, const std::string& name) {
  std::vector<Json> out;
  for (const auto& [key, object] : writer.objects) {
    if (std::get<0>(key) == "secrets" && std::get<2>(key) == name) out.push_back(object);
  }
  return out;
}

TEST(ShardDelivery, OneConfigSecretPerShardAndBackToOne) {
  prometheus::Registry registry;
  AcceptedObjects accepted(&registry);
  testing::FakeObjectWriter writer;
  ConfigReconcilerOptions options;
  options.delivery.namespace_ = "monitoring";
  options.delivery.config_secret = "cfg";
  options.shard_config_secrets = {"cfg-shard-0", "cfg-shard-1"};
  {
    ConfigReconciler sharded(options, accepted, writer, nullptr);
    ASSERT_EQ(sharded.Reconcile(kConfigKey).kind, Result::Kind::kDone);
    // The metrics describe the whole (unsharded) config.
    render::RenderInputs inputs;
    inputs.options = options.render;
    EXPECT_EQ(sharded.LastConfigHash(), ContentHash(render::RenderPrometheusConfig(inputs)));
  }
  EXPECT_TRUE(SecretsNamed(writer, "cfg").empty()) << "no unsharded config beside the shards";
  for (int i = 0; i < 2; ++i) {
    DeliveryOptions d = options.delivery;
    d.config_secret = "cfg-shard-" + std::to_string(i);
    const std::vector<Json> secrets = SecretsNamed(writer, d.config_secret);
    ASSERT_EQ(secrets.size(), 1u) << d.config_secret;
    auto config = AssembleConfig(secrets, d, std::size_t{1} << 20);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    EXPECT_NE(config->find("prometheus_shard: \"" + std::to_string(i) + "\""), std::string::npos)
        << *config;
    EXPECT_EQ(config->find("rule_files"), std::string::npos);
    // Every shard's head names the rule ConfigMaps it goes with.
    std::map<std::string, std::string> rule_hashes;
    for (const auto& [key, object] : writer.objects) {
      if (auto hash = DeliveredRuleHash(object)) rule_hashes[std::get<2>(key)] = *hash;
    }
    ASSERT_FALSE(rule_hashes.empty());
    EXPECT_EQ(DeclaredRulesDigest(secrets, d), RulesDigest(rule_hashes));
  }

  options.shard_config_secrets.clear();
  ConfigReconciler single(options, accepted, writer, nullptr);
  ASSERT_EQ(single.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  EXPECT_EQ(SecretsNamed(writer, "cfg").size(), 1u);
  EXPECT_TRUE(SecretsNamed(writer, "cfg-shard-0").empty()) << "stale shard Secret kept";
  EXPECT_TRUE(SecretsNamed(writer, "cfg-shard-1").empty());
}

}  // namespace
}  // namespace pulse::controller
