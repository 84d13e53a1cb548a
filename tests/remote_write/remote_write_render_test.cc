// The `remote_write:` section (pulse/render/remote_write_renderer.h): every field in
// Prometheus' spelling, credentials only as file paths in both layouts, and no trace of it
// when no remote write is configured.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "pulse/model/remote_write.h"
#include "pulse/render/scrape_config_renderer.h"

namespace pulse::render {
namespace {

model::RemoteWrite Parse(const std::string& text) {
  model::RemoteWriteResult r = model::ParseRemoteWrite(text, "rw.yaml");
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  return r.remote_write;
}

YAML::Node RenderWith(const RenderOptions& options) {
  const std::vector<model::ApiMonitor> none;
  return YAML::Load(RenderPrometheusConfig({none, {}, options}));
}

TEST(RemoteWriteRender, AbsentWithoutAConfig) {
  RenderOptions options;
  const std::string text = RenderPrometheusConfig({{}, {}, options});
  EXPECT_EQ(text.find("remote_write"), std::string::npos);
}

TEST(RemoteWriteRender, EveryField) {
  RenderOptions options;
  options.secrets_dir = "/etc/prometheus/secrets";
  options.remote_write = Parse(R"(url: https://vm.example:8428/api/v1/write
name: vm
remoteTimeout: 45s
headers: {X-Scope-OrgID: "tenant-1"}
secretNamespace: monitoring
basicAuth:
  username: {name: vm-auth, key: username}
  password: {name: vm-auth, key: password}
tlsConfig: {ca: {name: vm-ca, key: ca.crt}, serverName: vm.internal}
queueConfig: {capacity: 20000, maxShards: 50, maxSamplesPerSend: 5000, batchSendDeadline: 10s}
writeRelabelConfigs:
  - {sourceLabels: [__name__], regex: "go_.*", action: drop}
)");
  const YAML::Node config = RenderWith(options);
  ASSERT_TRUE(config["remote_write"].IsSequence());
  ASSERT_EQ(config["remote_write"].size(), 1u);
  const YAML::Node rw = config["remote_write"][0];
  EXPECT_EQ(rw["url"].as<std::string>(), "https://vm.example:8428/api/v1/write");
  EXPECT_EQ(rw["name"].as<std::string>(), "vm");
  EXPECT_EQ(rw["remote_timeout"].as<std::string>(), "45s");
  EXPECT_EQ(rw["headers"]["X-Scope-OrgID"].as<std::string>(), "tenant-1");
  EXPECT_EQ(rw["basic_auth"]["username_file"].as<std::string>(),
            "/etc/prometheus/secrets/monitoring/vm-auth/username");
  EXPECT_EQ(rw["basic_auth"]["password_file"].as<std::string>(),
            "/etc/prometheus/secrets/monitoring/vm-auth/password");
  EXPECT_FALSE(rw["basic_auth"]["password"]) << "never a value, only a file";
  EXPECT_EQ(rw["tls_config"]["ca_file"].as<std::string>(),
            "/etc/prometheus/secrets/monitoring/vm-ca/ca.crt");
  EXPECT_EQ(rw["tls_config"]["server_name"].as<std::string>(), "vm.internal");
  EXPECT_EQ(rw["queue_config"]["capacity"].as<int>(), 20000);
  EXPECT_EQ(rw["queue_config"]["max_shards"].as<int>(), 50);
  EXPECT_EQ(rw["queue_config"]["max_samples_per_send"].as<int>(), 5000);
  EXPECT_EQ(rw["queue_config"]["batch_send_deadline"].as<std::string>(), "10s");
  EXPECT_FALSE(rw["queue_config"]["min_shards"]) << "unset fields keep Prometheus' defaults";
  ASSERT_EQ(rw["write_relabel_configs"].size(), 1u);
  EXPECT_EQ(rw["write_relabel_configs"][0]["action"].as<std::string>(), "drop");
  EXPECT_EQ(rw["write_relabel_configs"][0]["regex"].as<std::string>(), "go_.*");
  EXPECT_EQ(rw["write_relabel_configs"][0]["source_labels"][0].as<std::string>(), "__name__");
}

TEST(RemoteWriteRender, BearerTokenUnderTheCredentialsDir) {
  RenderOptions options;
  options.credentials_dir = "/etc/prometheus/pulse-credentials/";
  options.remote_write = Parse(
      "url: http://thanos-receive:19291/api/v1/receive\nsecretNamespace: monitoring\n"
      "bearerTokenSecret: {name: receive-token, key: token}\n");
  const YAML::Node rw = RenderWith(options)["remote_write"][0];
  EXPECT_EQ(rw["authorization"]["type"].as<std::string>(), "Bearer");
  const model::SecretKeySelector ref{"receive-token", "token"};
  EXPECT_EQ(rw["authorization"]["credentials_file"].as<std::string>(),
            "/etc/prometheus/pulse-credentials/" + CredentialFileName("monitoring", ref));
  EXPECT_FALSE(rw["queue_config"]) << "no queueConfig: Prometheus' defaults";
  EXPECT_FALSE(rw["basic_auth"]);
}

TEST(RemoteWriteRender, HostileValuesStayInsideTheirScalars) {
  RenderOptions options;
  model::RemoteWrite rw;
  // Not validated (renderers must stay well-formed for any input): YAML-significant text.
  rw.url = "http://vm/w\nscrape_configs: []";
  rw.name = "a: b # c";
  rw.headers["X-A"] = "'\"{}[]&*!|>%@`";
  options.remote_write = rw;
  const YAML::Node config = RenderWith(options);
  EXPECT_EQ(config["remote_write"][0]["url"].as<std::string>(), rw.url);
  EXPECT_EQ(config["remote_write"][0]["name"].as<std::string>(), rw.name);
  EXPECT_EQ(config["remote_write"][0]["headers"]["X-A"].as<std::string>(), rw.headers["X-A"]);
  EXPECT_TRUE(config["scrape_configs"].IsSequence());
}

TEST(RemoteWriteRender, Deterministic) {
  RenderOptions options;
  options.remote_write = Parse("url: http://vm/w\nheaders: {B: b, A: a, C: c}\n");
  const std::string a = RenderPrometheusConfig({{}, {}, options});
  const std::string b = RenderPrometheusConfig({{}, {}, options});
  EXPECT_EQ(a, b);
  EXPECT_LT(a.find("A: a"), a.find("B: b")) << "headers sorted by name";
}

}  // namespace
}  // namespace pulse::render
