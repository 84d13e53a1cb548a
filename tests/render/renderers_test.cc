// What the renderers promise beyond "matches the golden file": the meaning of the relabelling,
// burn-rate arithmetic, uids, file names, and that hostile (unvalidated) objects still give
// well-formed YAML and JSON.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "pulse/render/render.h"

namespace pulse::render {
namespace {

model::ApiMonitor Monitor(const std::string& ns, const std::string& name) {
  model::ApiMonitor m;
  m.metadata.namespace_ = ns;
  m.metadata.name = name;
  model::LabelSelector sel;
  sel.match_labels["app"] = name;
  m.spec.selector = sel;
  model::Endpoint ep;
  ep.port = "http";
  m.spec.endpoints.push_back(ep);
  return m;
}

// The relabel_configs of the first scrape job, parsed.
YAML::Node FirstJob(const std::vector<model::ApiMonitor>& monitors, const RenderOptions& o = {}) {
  const YAML::Node config = YAML::Load(RenderPrometheusConfig({monitors, {}, o}));
  return config["scrape_configs"][0];
}

TEST(ScrapeConfig, SelectorBecomesKeepAndDropRules) {
  model::ApiMonitor m = Monitor("shop", "api");
  m.spec.selector->match_expressions = {{"env", "NotIn", {"dev"}}, {"legacy", "DoesNotExist", {}}};
  const YAML::Node rules = FirstJob({m})["relabel_configs"];
  ASSERT_TRUE(rules.IsSequence());
  EXPECT_EQ(rules[0]["source_labels"][0].as<std::string>(), "__meta_kubernetes_service_label_app");
  EXPECT_EQ(rules[0]["source_labels"][1].as<std::string>(),
            "__meta_kubernetes_service_labelpresent_app");
  EXPECT_EQ(rules[0]["regex"].as<std::string>(), "(api);true");
  EXPECT_EQ(rules[0]["action"].as<std::string>(), "keep");
  // sorted: "env" before "legacy"
  EXPECT_EQ(rules[1]["regex"].as<std::string>(), "(dev);true");
  EXPECT_EQ(rules[1]["action"].as<std::string>(), "drop");
  EXPECT_EQ(rules[2]["source_labels"][0].as<std::string>(),
            "__meta_kubernetes_service_labelpresent_legacy");
  EXPECT_EQ(rules[2]["action"].as<std::string>(), "drop");
  EXPECT_EQ(rules[3]["source_labels"][0].as<std::string>(),
            "__meta_kubernetes_endpointslice_port_name");
  EXPECT_EQ(rules[3]["regex"].as<std::string>(), "http");
}

TEST(ScrapeConfig, NamespacesAndApiServerOption) {
  model::ApiMonitor own = Monitor("shop", "a");
  EXPECT_EQ(FirstJob({own})["kubernetes_sd_configs"][0]["namespaces"]["names"][0].as<std::string>(),
            "shop");
  model::ApiMonitor any = Monitor("shop", "b");
  any.spec.namespace_selector.any = true;
  EXPECT_FALSE(FirstJob({any})["kubernetes_sd_configs"][0]["namespaces"].IsDefined());
  RenderOptions o;
  o.api_server = ExternalApiServer{"https://127.0.0.1:6443", "/ca", "/crt", "/key"};
  const YAML::Node sd = FirstJob({own}, o)["kubernetes_sd_configs"][0];
  EXPECT_EQ(sd["api_server"].as<std::string>(), "https://127.0.0.1:6443");
  EXPECT_EQ(sd["tls_config"]["ca_file"].as<std::string>(), "/ca");
  EXPECT_EQ(sd["tls_config"]["cert_file"].as<std::string>(), "/crt");
  EXPECT_EQ(sd["tls_config"]["key_file"].as<std::string>(), "/key");
  EXPECT_EQ(sd["role"].as<std::string>(), "endpointslice");
}

TEST(ScrapeConfig, SecretsAreFilePathsNeverValues) {
  model::ApiMonitor m = Monitor("shop", "api");
  m.spec.endpoints[0].basic_auth = model::BasicAuth{{"creds", "user"}, {"creds", "pass"}};
  RenderOptions o;
  o.secrets_dir = "/run/secrets/";
  const YAML::Node job = FirstJob({m}, o);
  EXPECT_EQ(job["basic_auth"]["password_file"].as<std::string>(), "/run/secrets/shop/creds/pass");
  EXPECT_EQ(job["basic_auth"]["username_file"].as<std::string>(), "/run/secrets/shop/creds/user");
  EXPECT_FALSE(job["basic_auth"]["password"].IsDefined());
}

TEST(ScrapeConfig, ExporterJobSelectsItsServiceAndPort) {
  model::Exporter e;
  e.metadata.namespace_ = "infra";
  e.metadata.name = "mq";
  const std::vector<model::Exporter> exporters{e};
  const YAML::Node config = YAML::Load(RenderPrometheusConfig({{}, exporters, {}}));
  const YAML::Node job = config["scrape_configs"][0];
  EXPECT_EQ(job["job_name"].as<std::string>(), "exporter/infra/mq");
  EXPECT_EQ(job["relabel_configs"][0]["regex"].as<std::string>(), "pulse-exporter-mq");
  EXPECT_EQ(job["relabel_configs"][1]["regex"].as<std::string>(), "metrics");
  EXPECT_EQ(job["kubernetes_sd_configs"][0]["namespaces"]["names"][0].as<std::string>(), "infra");
}

TEST(ScrapeConfig, AlertingOnlyWithAlertmanagers) {
  const std::vector<model::ApiMonitor> none;
  EXPECT_FALSE(YAML::Load(RenderPrometheusConfig({none, {}, {}}))["alerting"].IsDefined());
  RenderOptions o;
  o.alertmanagers = {"am:9093"};
  const YAML::Node c = YAML::Load(RenderPrometheusConfig({none, {}, o}));
  EXPECT_EQ(c["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"][0].as<std::string>(),
            "am:9093");
  EXPECT_EQ(c["rule_files"][0].as<std::string>(), "rules/*.yaml");
}

std::string AlertExpr(const std::string& rules_yaml, const std::string& alert,
                      const std::string& severity) {
  for (const auto& group : YAML::Load(rules_yaml)["groups"]) {
    for (const auto& rule : group["rules"]) {
      if (rule["alert"] && rule["alert"].as<std::string>() == alert &&
          rule["labels"]["severity"].as<std::string>() == severity) {
        return rule["expr"].as<std::string>();
      }
    }
  }
  return "";
}

TEST(Rules, BurnRatesFollowTheSreWorkbookAndScaleWithTheWindow) {
  model::ApiMonitor m = Monitor("shop", "api");
  model::RedSlo slo;
  slo.availability_objective = 99.9;
  m.spec.red.slo = slo;
  const std::string page =
      AlertExpr(RenderApiMonitorRules(m, {}), "PulseApiErrorBudgetBurn", "page");
  EXPECT_NE(page.find(":rate1h{pulse_apimonitor=\"shop/api\"} > (14.4 * (100 - 99.9) / 100)"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find(":rate5m{"), std::string::npos);
  EXPECT_NE(page.find(":rate6h{pulse_apimonitor=\"shop/api\"} > (6 * "), std::string::npos);
  const std::string ticket =
      AlertExpr(RenderApiMonitorRules(m, {}), "PulseApiErrorBudgetBurn", "ticket");
  EXPECT_NE(ticket.find(":rate1d{pulse_apimonitor=\"shop/api\"} > (3 * "), std::string::npos);
  EXPECT_NE(ticket.find(":rate3d{pulse_apimonitor=\"shop/api\"} > (1 * "), std::string::npos);
  m.spec.red.slo->window = model::MakeDuration("7d");
  const std::string week =
      AlertExpr(RenderApiMonitorRules(m, {}), "PulseApiErrorBudgetBurn", "page");
  EXPECT_NE(week.find(":rate1h{pulse_apimonitor=\"shop/api\"} > (3.36 * "), std::string::npos)
      << week;
  // No latency SLO: the plain p99 alert instead of a latency burn alert.
  EXPECT_EQ(AlertExpr(RenderApiMonitorRules(m, {}), "PulseApiLatencyBudgetBurn", "page"), "");
  EXPECT_NE(AlertExpr(RenderApiMonitorRules(m, {}), "PulseApiHighLatency", "warning"), "");
  EXPECT_EQ(AlertExpr(RenderApiMonitorRules(m, {}), "PulseApiHighErrorRatio", "warning"), "");
}

TEST(Rules, LatencySloUsesTheBucketOfTheThresholdInBothSpellings) {
  model::ApiMonitor m = Monitor("shop", "api");
  model::RedSlo slo;
  slo.latency_threshold = model::MakeDuration("1s");
  slo.latency_objective = 99;
  m.spec.red.slo = slo;
  const std::string rules = RenderApiMonitorRules(m, {});
  EXPECT_NE(rules.find("le=~\"1(\\\\.0)?\""), std::string::npos) << rules;
  m.spec.red.slo->latency_threshold = model::MakeDuration("250ms");
  EXPECT_NE(RenderApiMonitorRules(m, {}).find("le=~\"0\\\\.25\""), std::string::npos);
}

TEST(Rules, AlertsSwitchOffLeavesRecordingRules) {
  model::ApiMonitor m = Monitor("shop", "api");
  m.spec.red.alerts = false;
  const std::string rules = RenderApiMonitorRules(m, {});
  EXPECT_EQ(rules.find("alert:"), std::string::npos);
  EXPECT_NE(rules.find("record: pulse_apimonitor:http_requests:rate5m"), std::string::npos);
}

TEST(Dashboards, UidIsStableShortAndDistinct) {
  const std::string uid = DashboardUid("ApiMonitor", "shop", "api");
  EXPECT_EQ(uid, DashboardUid("ApiMonitor", "shop", "api"));
  EXPECT_EQ(uid.size(), 22u);  // "pulse-api-" + 12 hex digits, within Grafana's 40
  // Pinned: a different hash would break every saved link to a generated dashboard.
  EXPECT_EQ(DashboardUid("ApiMonitor", "default", "shop"), "pulse-api-4aaa28540cf4");
  EXPECT_EQ(uid.rfind("pulse-api-", 0), 0u);
  EXPECT_NE(uid, DashboardUid("ApiMonitor", "shop", "api2"));
  EXPECT_NE(uid, DashboardUid("ApiMonitor", "shop2", "api"));
  EXPECT_EQ(DashboardUid("Exporter", "shop", "api").rfind("pulse-exp-", 0), 0u);
}

TEST(Dashboards, SwitchAndFileNames) {
  model::ApiMonitor on = Monitor("shop", "a");
  model::ApiMonitor off = Monitor("shop", "b");
  off.spec.red.dashboard = false;
  const std::vector<model::ApiMonitor> monitors{off, on};
  const auto files = RenderDashboards({monitors, {}, {}});
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "dashboards/apimonitor_shop_a.json");
  EXPECT_EQ(files[1].path, "dashboards/overview.json");
  const auto board = nlohmann::json::parse(files[0].content);
  EXPECT_EQ(board["uid"], DashboardUid("ApiMonitor", "shop", "a"));
  EXPECT_EQ(board["templating"]["list"][0]["name"], "datasource");
}

// Objects validation would reject (names with quotes, newlines, path separators, bad UTF-8):
// renderers must still produce well-formed, safely named output.
TEST(Hostile, UnvalidatedObjectsStillGiveWellFormedOutput) {
  model::ApiMonitor m = Monitor("ns\"\n/..", "name\\' }{\xFF");
  m.spec.red.service_name = "</script>\"\n\t";
  m.spec.red.method_label = "method";
  m.spec.endpoints[0].port = "p\"ort\n";
  m.spec.endpoints[0].path = "/x\ny: z";
  model::RedSlo slo;
  slo.availability_objective = 99.9;
  slo.latency_threshold = model::MakeDuration("300ms");
  slo.latency_objective = 99;
  m.spec.red.slo = slo;
  model::Exporter e;
  e.metadata.namespace_ = "..";
  e.metadata.name = "../../etc/passwd";
  const std::vector<model::ApiMonitor> monitors{m};
  const std::vector<model::Exporter> exporters{e};
  for (const auto& f : RenderAll({monitors, exporters, {}})) {
    // one directory and one file name, neither "." nor "..", no control characters
    const auto slash = f.path.find('/');
    if (f.path != "prometheus.yml") {
      ASSERT_NE(slash, std::string::npos) << f.path;
      EXPECT_EQ(f.path.find('/', slash + 1), std::string::npos) << f.path;
      const std::string file = f.path.substr(slash + 1);
      EXPECT_NE(file.rfind("..", 0), 0u) << f.path;
    }
    for (char c : f.path) EXPECT_GT(static_cast<unsigned char>(c), 0x20) << f.path;
    if (f.path.ends_with(".json")) {
      EXPECT_NO_THROW(nlohmann::json::parse(f.content)) << f.path;
    } else {
      EXPECT_NO_THROW(YAML::Load(f.content)) << f.path;
    }
  }
  const YAML::Node job =
      YAML::Load(RenderPrometheusConfig({monitors, exporters, {}}))["scrape_configs"][0];
  EXPECT_EQ(job["metrics_path"].as<std::string>(), "/x\ny: z");
}

}  // namespace
}  // namespace pulse::render
