// The ConfigMap, Deployment and Service the operator creates per Exporter, for every Exporter in
// examples/crs/: pinned by golden files (PULSE_UPDATE_GOLDEN=1 rewrites them), plus the
// properties a reviewer checks first (ownership, no secret in the ConfigMap, hardening).
#include "pulse/controller/exporter_workload.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pulse/model/loader.h"
#include "pulse/render/exporter_config_renderer.h"
#include "pulse/testenv/testenv.h"

namespace pulse::controller {
namespace {

namespace fs = std::filesystem;

std::vector<model::Exporter> ExampleExporters() {
  auto parsed = model::LoadPaths({testenv::SourceDir() + "/examples/crs"});
  EXPECT_TRUE(parsed.errors.empty());
  return parsed.objects.exporters;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ExporterWorkload, EveryExampleMatchesItsGoldenFile) {
  const auto exporters = ExampleExporters();
  ASSERT_GE(exporters.size(), 4u);  // rabbitmq, shop-db, mes-db, s3
  const fs::path dir = fs::path(testenv::SourceDir()) / "tests/controller/golden";
  const bool update = std::getenv("PULSE_UPDATE_GOLDEN") != nullptr;
  for (const auto& e : exporters) {
    const auto w =
        BuildExporterWorkload(e, "uid-" + e.metadata.name, render::RenderExporterConfig(e));
    const Json all = {
        {"configMap", w.config_map}, {"deployment", w.deployment}, {"service", w.service}};
    const std::string text = all.dump(2) + "\n";
    const fs::path file =
        dir / ("exporter_workload_" + e.metadata.namespace_ + "_" + e.metadata.name + ".json");
    if (update) {
      fs::create_directories(dir);
      std::ofstream(file, std::ios::binary) << text;
      continue;
    }
    EXPECT_EQ(ReadFile(file), text) << "golden " << file << " differs; PULSE_UPDATE_GOLDEN=1";
  }
}

TEST(ExporterWorkload, OwnedByTheExporterAndSelectableByTheScrapeJob) {
  for (const auto& e : ExampleExporters()) {
    const auto w = BuildExporterWorkload(e, "the-uid", render::RenderExporterConfig(e));
    for (const Json* o : {&w.config_map, &w.deployment, &w.service}) {
      const Json& ref = (*o)["metadata"]["ownerReferences"][0];
      EXPECT_EQ(ref["uid"], "the-uid");
      EXPECT_EQ(ref["kind"], "Exporter");
      EXPECT_EQ(ref["controller"], true);
      EXPECT_EQ((*o)["metadata"]["name"], model::WorkloadName(e));
      EXPECT_EQ((*o)["metadata"]["namespace"], e.metadata.namespace_);
    }
    // The rendered scrape job keeps the Service named WorkloadName with a port named metrics.
    EXPECT_EQ(w.service["spec"]["ports"][0]["name"], "metrics");
    EXPECT_EQ(w.service["spec"]["selector"], w.deployment["spec"]["selector"]["matchLabels"]);
    EXPECT_EQ(w.service["spec"]["selector"]["app.kubernetes.io/instance"], e.metadata.name);
  }
}

TEST(ExporterWorkload, CredentialsComeFromSecretsNeverFromTheConfigMap) {
  for (const auto& e : ExampleExporters()) {
    const std::string config = render::RenderExporterConfig(e);
    const auto w = BuildExporterWorkload(e, "u", config);
    EXPECT_EQ(w.config_map["data"]["config.yaml"], config);
    const Json& c = w.deployment["spec"]["template"]["spec"]["containers"][0];
    const auto vars = render::ExporterEnvVars(e);
    ASSERT_FALSE(vars.empty()) << e.metadata.name;
    ASSERT_EQ(c["env"].size(), vars.size());
    for (std::size_t i = 0; i < vars.size(); ++i) {
      EXPECT_EQ(c["env"][i]["name"], vars[i].name);
      EXPECT_EQ(c["env"][i]["valueFrom"]["secretKeyRef"]["name"], vars[i].secret.name);
      EXPECT_EQ(c["env"][i]["valueFrom"]["secretKeyRef"]["key"], vars[i].secret.key);
      // The config names the variable, not its value.
      EXPECT_NE(config.find(vars[i].name), std::string::npos);
    }
    EXPECT_EQ(c["args"][1], "/etc/pulse-exporter/config/config.yaml");
  }
}

TEST(ExporterWorkload, HardenedPodWithProbes) {
  const auto e = ExampleExporters().front();
  const auto w = BuildExporterWorkload(e, "u", render::RenderExporterConfig(e));
  const Json& pod = w.deployment["spec"]["template"]["spec"];
  const Json& c = pod["containers"][0];
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_EQ(c["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_EQ(c["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_EQ(c["securityContext"]["capabilities"]["drop"][0], "ALL");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"], "/healthz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_TRUE(c["resources"].contains("requests"));
  // A config change must roll the pod.
  const auto w2 = BuildExporterWorkload(e, "u", render::RenderExporterConfig(e) + "# x\n");
  EXPECT_NE(w.deployment["spec"]["template"]["metadata"]["annotations"],
            w2.deployment["spec"]["template"]["metadata"]["annotations"]);
}

TEST(ExporterWorkload, TlsFilesAreProjectedFromTheirSecrets) {
  model::Exporter e;
  for (const auto& x : ExampleExporters()) {
    if (x.spec.type == model::ExporterType::kRabbitMq) e = x;
  }
  ASSERT_TRUE(e.spec.rabbitmq.has_value()) << "examples/crs has no rabbitmq Exporter";
  model::TlsConfig tls;
  tls.ca = model::SecretKeySelector{"rabbit-ca", "ca.pem"};
  e.spec.rabbitmq->tls = tls;
  const auto w = BuildExporterWorkload(e, "u", render::RenderExporterConfig(e));
  const Json& pod = w.deployment["spec"]["template"]["spec"];
  ASSERT_EQ(pod["volumes"].size(), 2u);
  const Json& src = pod["volumes"][1]["projected"]["sources"][0]["secret"];
  EXPECT_EQ(src["name"], "rabbit-ca");
  EXPECT_EQ(src["items"][0]["key"], "ca.pem");
  EXPECT_EQ(pod["containers"][0]["volumeMounts"][1]["mountPath"], render::kExporterTlsDir);
}

}  // namespace
}  // namespace pulse::controller
