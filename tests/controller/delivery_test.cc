// The objects the operator delivers: config Secrets (gzip, split, reassembled by the config
// sync), rule ConfigMaps (packed under the limit, stable buckets), dashboard ConfigMaps.
#include "pulse/controller/delivery.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "pulse/controller/gzip.h"

namespace pulse::controller {
namespace {

using base::StatusCode;

// Bytes gzip cannot shrink: uniformly random (fixed seed: the same bytes each run).
std::string Incompressible(std::size_t n, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(0, 255);
  std::string s(n, ' ');
  for (auto& c : s) c = static_cast<char>(dist(rng));
  return s;
}

std::vector<Json> Objects(const std::vector<DeliveredObject>& v) {
  std::vector<Json> out;
  for (const auto& o : v) out.push_back(o.object);
  return out;
}

TEST(Gzip, RoundTripsAndIsDeterministic) {
  const std::string text = "global:\n  scrape_interval: 30s\n" + std::string(10000, 'x');
  const std::string gz = Gzip(text);
  EXPECT_EQ(gz, Gzip(text));
  EXPECT_LT(gz.size(), text.size() / 10);
  ASSERT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // gzip magic
  auto back = Gunzip(gz, 1 << 20);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, text);
  // The output holds what it needs, not a buffer of the input's size (a 13 MB config's gzip
  // is ~1 MB).
  std::string big;
  for (int i = 0; big.size() < (4u << 20); ++i) big += "  - job_name: j" + std::to_string(i) + "\n";
  const std::string big_gz = Gzip(big);
  EXPECT_LT(big_gz.capacity(), big.size() / 8) << big_gz.size();
  EXPECT_EQ(*Gunzip(big_gz, 8u << 20), big);
}

TEST(Gzip, StreamOfPiecesRoundTrips) {
  const std::string text = Incompressible(200 * 1024) + std::string(300 * 1024, 'y');
  GzipStream gz;
  for (std::size_t at = 0; at < text.size(); at += 10007) {
    gz.Append(text.substr(at, 10007));
    gz.Append("");
  }
  const std::string out = gz.Finish();
  auto back = Gunzip(out, 1 << 20);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, text);
  GzipStream empty;
  auto nothing = Gunzip(empty.Finish(), 1 << 20);
  ASSERT_TRUE(nothing.ok()) << nothing.status().ToString();
  EXPECT_EQ(*nothing, "");
}

TEST(Gzip, RejectsGarbageTruncationAndBombs) {
  EXPECT_EQ(Gunzip("not gzip at all", 1 << 20).status().code(), StatusCode::kDataLoss);
  const std::string gz = Gzip(std::string(100000, 'a'));
  EXPECT_EQ(Gunzip(gz.substr(0, gz.size() / 2), 1 << 20).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(Gunzip(gz + "trailing", 1 << 20).status().code(), StatusCode::kDataLoss);
  // 100 KB of 'a' compresses to ~100 bytes; a 10 KB limit stops the expansion.
  EXPECT_EQ(Gunzip(gz, 10000).status().code(), StatusCode::kResourceExhausted);
}

TEST(ConfigSecrets, SmallConfigIsOneSecretThatReassembles) {
  DeliveryOptions opt;
  const std::string yml = "global:\n  scrape_interval: 30s\nscrape_configs: []\n";
  auto secrets = BuildConfigSecrets(yml, opt);
  ASSERT_EQ(secrets.size(), 1u);
  const Json& s = secrets[0].object;
  EXPECT_EQ(s["kind"], "Secret");
  EXPECT_EQ(s["metadata"]["name"], "pulse-prometheus-config");
  EXPECT_EQ(s["metadata"]["namespace"], "pulse-system");
  EXPECT_EQ(s["metadata"]["labels"][kManagedByLabel], "pulse-operator");
  EXPECT_EQ(s["metadata"]["annotations"][kConfigPartAnnotation], "0/1");
  EXPECT_EQ(s["metadata"]["annotations"][kConfigHashAnnotation], ContentHash(yml));
  EXPECT_EQ(s["metadata"]["annotations"][kContentHashAnnotation], secrets[0].content_hash);
  auto back = AssembleConfig(Objects(secrets), opt, 1 << 20);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, yml);
  // Same input, same bytes: the reconciler's "write only on change" relies on it.
  EXPECT_EQ(BuildConfigSecrets(yml, opt)[0].object.dump(), s.dump());
}

TEST(ConfigSecrets, LargeConfigSplitsHeadLastAndReassemblesInAnyOrder) {
  DeliveryOptions opt;
  opt.max_secret_payload_bytes = 100 * 1024;
  const std::string yml = Incompressible(350 * 1024);
  auto secrets = BuildConfigSecrets(yml, opt);
  ASSERT_EQ(secrets.size(), 4u);
  EXPECT_EQ(secrets.back().name, "pulse-prometheus-config");  // the head is applied last
  EXPECT_EQ(secrets[0].name, "pulse-prometheus-config-1");
  std::set<std::string> names;
  for (const auto& s : secrets) {
    names.insert(s.name);
    EXPECT_LE(s.object["data"][kConfigDataKey].get<std::string>().size(), 100 * 1024 * 4 / 3 + 4);
  }
  EXPECT_EQ(names.size(), 4u);
  auto objects = Objects(secrets);
  std::reverse(objects.begin(), objects.end());
  auto back = AssembleConfig(objects, opt, 1 << 20);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, yml);
}

// The operator builds the Secrets from the render as it streams: the same config reads back,
// with the same hash, split the same way.
TEST(ConfigSecrets, BuiltFromPiecesTheyReassembleToTheWholeConfig) {
  DeliveryOptions opt;
  opt.max_secret_payload_bytes = 100 * 1024;
  const std::string yml = Incompressible(350 * 1024);
  ConfigSecretsBuilder builder;
  for (std::size_t at = 0; at < yml.size(); at += 65536) {
    builder.Append(yml.substr(at, 65536));
  }
  auto secrets = builder.Finish(opt, "digest");
  EXPECT_EQ(builder.config_hash(), ContentHash(yml));
  EXPECT_EQ(builder.bytes(), yml.size());
  auto whole = BuildConfigSecrets(yml, opt, "digest");
  ASSERT_EQ(secrets.size(), whole.size());
  for (std::size_t i = 0; i < secrets.size(); ++i) EXPECT_EQ(secrets[i].name, whole[i].name);
  EXPECT_EQ(secrets.back().object["metadata"]["annotations"][kRulesHashAnnotation], "digest");
  auto back = AssembleConfig(Objects(secrets), opt, 1 << 20);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, yml);
}

TEST(ConfigSecrets, ReaderRefusesMixedVersionsMissingPartsAndTampering) {
  DeliveryOptions opt;
  opt.max_secret_payload_bytes = 64 * 1024;
  auto v1 = Objects(BuildConfigSecrets(Incompressible(150 * 1024, 1), opt));
  auto v2 = Objects(BuildConfigSecrets(Incompressible(150 * 1024, 2), opt));
  ASSERT_EQ(v1.size(), 3u);
  std::vector<Json> mixed = {v1[0], v2[1], v1[2]};
  EXPECT_EQ(AssembleConfig(mixed, opt, 1 << 20).status().code(), StatusCode::kFailedPrecondition);
  std::vector<Json> missing = {v1[0], v1[2]};
  EXPECT_EQ(AssembleConfig(missing, opt, 1 << 20).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(AssembleConfig({}, opt, 1 << 20).status().code(), StatusCode::kFailedPrecondition);
  // A part whose payload was swapped for another valid gzip fails the hash check.
  auto one = Objects(BuildConfigSecrets("a: 1\n", opt));
  auto other = Objects(BuildConfigSecrets("a: 2\n", opt));
  one[0]["data"] = other[0]["data"];
  EXPECT_EQ(AssembleConfig(one, opt, 1 << 20).status().code(), StatusCode::kDataLoss);
  auto bad = Objects(BuildConfigSecrets("a: 1\n", opt));
  bad[0]["data"][kConfigDataKey] = "%%% not base64";
  EXPECT_EQ(AssembleConfig(bad, opt, 1 << 20).status().code(), StatusCode::kDataLoss);
  bad[0]["metadata"]["annotations"][kConfigPartAnnotation] = "7/3";
  EXPECT_EQ(AssembleConfig(bad, opt, 1 << 20).status().code(), StatusCode::kDataLoss);
}

std::vector<render::RenderedFile> RuleFiles(int n, std::size_t bytes_each) {
  std::vector<render::RenderedFile> files;
  for (int i = 0; i < n; ++i) {
    files.push_back({"rules/apimonitor_ns_m" + std::to_string(i) + ".yaml",
                     Incompressible(bytes_each, static_cast<unsigned>(i))});
  }
  return files;
}

TEST(RuleConfigMaps, EveryFileOnceAndEveryConfigMapUnderTheLimit) {
  DeliveryOptions opt;
  opt.max_configmap_bytes = 100 * 1024;
  const auto files = RuleFiles(40, 9 * 1024);  // 360 KiB in all
  auto maps = BuildRuleConfigMaps(files, opt);
  ASSERT_TRUE(maps.ok()) << maps.status().ToString();
  ASSERT_GE(maps->size(), 4u);
  std::multiset<std::string> keys;
  for (const auto& m : *maps) {
    std::size_t total = 0;
    for (const auto& [k, v] : m.object["data"].items()) {
      keys.insert(k);
      total += k.size() + v.get<std::string>().size();
    }
    EXPECT_LE(total, opt.max_configmap_bytes) << m.name;
    EXPECT_EQ(m.object["metadata"]["labels"][kComponentLabel], "rules");
  }
  ASSERT_EQ(keys.size(), 40u);
  for (const auto& f : files) EXPECT_EQ(keys.count(f.path.substr(6)), 1u) << f.path;
}

TEST(RuleConfigMaps, ChangingOneFileRewritesOneConfigMap) {
  DeliveryOptions opt;
  opt.max_configmap_bytes = 100 * 1024;
  auto files = RuleFiles(40, 9 * 1024);
  auto before = BuildRuleConfigMaps(files, opt);
  files[17].content = Incompressible(9 * 1024, 999);
  auto after = BuildRuleConfigMaps(files, opt);
  ASSERT_TRUE(before.ok() && after.ok());
  ASSERT_EQ(before->size(), after->size());
  int changed = 0;
  for (std::size_t i = 0; i < before->size(); ++i) {
    changed += (*before)[i].content_hash != (*after)[i].content_hash;
  }
  EXPECT_EQ(changed, 1);
}

TEST(RuleConfigMaps, OneFileAboveTheLimitIsRefusedNamingIt) {
  DeliveryOptions opt;
  opt.max_configmap_bytes = 1000;
  auto maps = BuildRuleConfigMaps(RuleFiles(1, 5000), opt);
  ASSERT_FALSE(maps.ok());
  EXPECT_EQ(maps.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(maps.status().message().find("rules/apimonitor_ns_m0.yaml"), std::string::npos);
}

// The head names the rule ConfigMaps delivered with it, so that the config sync can tell a head
// that arrived before its rules (config_sync.h).
TEST(RulesDigest, TheHeadDeclaresItsRuleConfigMapsAndTheReaderMatchesThem) {
  DeliveryOptions opt;
  opt.max_secret_payload_bytes = 64 * 1024;
  opt.max_configmap_bytes = 4 * 1024;
  auto maps = BuildRuleConfigMaps(RuleFiles(6, 1500), opt);
  ASSERT_TRUE(maps.ok());
  ASSERT_GT(maps->size(), 1u);
  std::map<std::string, std::string> written;
  for (const auto& m : *maps) written[m.name] = m.content_hash;
  const std::string digest = RulesDigest(written);

  // The reader's view: the ConfigMaps as the API returns them, in any order.
  std::map<std::string, std::string> seen;
  for (auto it = maps->rbegin(); it != maps->rend(); ++it) {
    auto hash = DeliveredRuleHash(it->object);
    ASSERT_TRUE(hash.has_value());
    EXPECT_EQ(*hash, it->content_hash);
    seen[it->object["metadata"]["name"].get<std::string>()] = *hash;
  }
  EXPECT_EQ(RulesDigest(seen), digest);
  // One ConfigMap missing, stale, or one too many: a different digest.
  auto missing = seen;
  missing.erase(missing.begin());
  EXPECT_NE(RulesDigest(missing), digest);
  auto stale = seen;
  stale.begin()->second = ContentHash("old");
  EXPECT_NE(RulesDigest(stale), digest);
  auto extra = seen;
  extra["pulse-rules-99"] = ContentHash("left over");
  EXPECT_NE(RulesDigest(extra), digest);
  // Names and hashes do not run into each other.
  EXPECT_NE(RulesDigest({{"a", "bc"}}), RulesDigest({{"ab", "c"}}));

  // Only the operator's rule ConfigMaps count: a dashboard, a user's ConfigMap do not.
  const std::vector<render::RenderedFile> dashboard_files = {{"dashboards/x.json", "{}"}};
  auto dashboards = BuildDashboardConfigMaps(dashboard_files, opt);
  EXPECT_FALSE(DeliveredRuleHash(dashboards[0].object).has_value());
  Json users = {{"metadata", {{"name", "mine"}, {"labels", {{"app", "x"}}}}}};
  EXPECT_FALSE(DeliveredRuleHash(users).has_value());
  EXPECT_FALSE(DeliveredRuleHash(Json("not an object")).has_value());

  // The head (only) declares the digest, and it is part of the head's content hash: rules
  // changing alone rewrite the head.
  const std::string yml = Incompressible(150 * 1024);
  auto with = BuildConfigSecrets(yml, opt, digest);
  auto without = BuildConfigSecrets(yml, opt);
  ASSERT_EQ(with.size(), 3u);
  EXPECT_EQ(with.back().object["metadata"]["annotations"][kRulesHashAnnotation], digest);
  EXPECT_FALSE(with.front().object["metadata"]["annotations"].contains(kRulesHashAnnotation));
  EXPECT_EQ(with.front().content_hash, without.front().content_hash);
  EXPECT_NE(with.back().content_hash, without.back().content_hash);
  EXPECT_EQ(with.back().object["metadata"]["annotations"][kContentHashAnnotation],
            with.back().content_hash);
  EXPECT_NE(BuildConfigSecrets(yml, opt, RulesDigest(missing)).back().content_hash,
            with.back().content_hash);
  // Declared after the fact (the operator builds the config before the rules): the same head.
  auto late = BuildConfigSecrets(yml, opt);
  DeclareRules(late.back(), digest);
  EXPECT_EQ(late.back().object.dump(), with.back().object.dump());
  EXPECT_EQ(late.back().content_hash, with.back().content_hash);
  EXPECT_EQ(DeclaredRulesDigest(Objects(with), opt), digest);
  EXPECT_EQ(DeclaredRulesDigest(Objects(without), opt), "");
  EXPECT_EQ(DeclaredRulesDigest({}, opt), "");
  // The assembled config is the same either way.
  auto back = AssembleConfig(Objects(with), opt, 1 << 20);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, yml);
}

TEST(DashboardConfigMaps, LabelledForGrafanasSidecar) {
  DeliveryOptions opt;
  opt.grafana_folder = "RED";
  std::vector<render::RenderedFile> dashboards = {{"dashboards/overview.json", "{\"a\":1}"},
                                                  {"dashboards/Exporter_NS_My.DB.json", "{}"}};
  auto maps = BuildDashboardConfigMaps(dashboards, opt);
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(maps[0].name, "pulse-dashboard-exporter-ns-my-db");
  EXPECT_EQ(maps[1].name, "pulse-dashboard-overview");
  EXPECT_EQ(maps[1].object["metadata"]["labels"]["grafana_dashboard"], "1");
  EXPECT_EQ(maps[1].object["metadata"]["annotations"]["grafana_folder"], "RED");
  EXPECT_EQ(maps[1].object["data"]["overview.json"], "{\"a\":1}");
}

}  // namespace
}  // namespace pulse::controller
