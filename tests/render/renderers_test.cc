// What the renderers promise beyond "matches the golden file": the meaning of the relabelling,
// burn-rate arithmetic, uids, file names, and that hostile (unvalidated) objects still give
// well-formed YAML and JSON.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "pulse/render/exporter_config_renderer.h"
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

// The streaming render hands out the same bytes in bounded pieces: the operator hashes and
// compresses them as they come instead of holding a 13 MB config.
TEST(ScrapeConfig, StreamedRenderIsTheSameBytesInBoundedPieces) {
  std::vector<model::ApiMonitor> monitors;
  for (int i = 0; i < 2000; ++i)
    monitors.push_back(Monitor("ns" + std::to_string(i % 7), "m" + std::to_string(i)));
  const RenderInputs inputs{monitors, {}, {}};
  const std::string whole = RenderPrometheusConfig(inputs);
  std::string joined;
  std::size_t pieces = 0, largest = 0;
  RenderPrometheusConfig(inputs, [&](std::string_view piece) {
    ++pieces;
    largest = std::max(largest, piece.size());
    joined += piece;
  });
  EXPECT_EQ(joined, whole);
  EXPECT_GT(whole.size(), 256u * 1024);
  EXPECT_GE(pieces, whole.size() / (80 * 1024));
  EXPECT_LT(largest, 80u * 1024) << "a piece is about 64 KiB plus one job";
  // No monitors: one piece, the same bytes.
  std::string empty;
  RenderPrometheusConfig(RenderInputs{}, [&](std::string_view piece) { empty += piece; });
  EXPECT_EQ(empty, RenderPrometheusConfig(RenderInputs{}));
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

// The target labels a job's relabel_configs write (target_label of each rule).
std::set<std::string> TargetLabels(const YAML::Node& job) {
  std::set<std::string> labels;
  for (const auto& r : job["relabel_configs"]) {
    if (r["target_label"]) labels.insert(r["target_label"].as<std::string>());
  }
  return labels;
}

TEST(ScrapeConfig, ExporterStaticTargetIsTheWorkloadOnTheExporterListenPort) {
  model::Exporter e;
  e.metadata.namespace_ = "infra";
  e.metadata.name = "mq$1";  // '$' must stay literal in a replacement
  const std::vector<model::Exporter> exporters{e};
  RenderOptions o;
  o.exporter_static_targets = true;
  const YAML::Node job =
      YAML::Load(RenderPrometheusConfig({{}, exporters, o}))["scrape_configs"][0];
  EXPECT_FALSE(job["kubernetes_sd_configs"].IsDefined());
  ASSERT_EQ(job["static_configs"].size(), 1u);
  ASSERT_EQ(job["static_configs"][0]["targets"].size(), 1u);
  // The port is the one the rendered exporter config listens on (one source of truth).
  const std::vector<RenderedFile> configs = RenderExporterConfigs(exporters);
  ASSERT_EQ(configs.size(), 1u);
  const std::string listen = YAML::Load(configs[0].content)["listen"].as<std::string>();
  EXPECT_EQ(job["static_configs"][0]["targets"][0].as<std::string>(),
            "pulse-exporter-mq$1" + listen.substr(listen.rfind(':')));
  std::map<std::string, std::string> literal;
  for (const auto& r : job["relabel_configs"]) {
    EXPECT_FALSE(r["source_labels"].IsDefined()) << "no discovery meta labels without discovery";
    literal[r["target_label"].as<std::string>()] = r["replacement"].as<std::string>();
  }
  EXPECT_EQ(literal["namespace"], "infra");
  EXPECT_EQ(literal["service"], "pulse-exporter-mq$$1");
  EXPECT_EQ(literal["job"], "pulse-exporter-mq$$1");
  EXPECT_EQ(literal["endpoint"], "metrics");
  EXPECT_EQ(literal["pulse_exporter"], "infra/mq$$1");

  // The same labels as a discovered target, except pod: rules and dashboards select the
  // same series with either kind of job.
  std::set<std::string> discovered =
      TargetLabels(YAML::Load(RenderPrometheusConfig({{}, exporters, {}}))["scrape_configs"][0]);
  discovered.erase("pod");
  EXPECT_EQ(TargetLabels(job), discovered);
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

// The content of one rendered rule file ("" when not rendered).
std::string RuleFile(const std::vector<model::ApiMonitor>& monitors, const std::string& path) {
  for (const auto& f : RenderRuleFiles({monitors, {}, {}})) {
    if (f.path == path) return f.content;
  }
  return "";
}

// Every expression of the alerts with this name and severity in the generic alert file.
std::vector<std::string> AlertExprs(const std::vector<model::ApiMonitor>& monitors,
                                    const std::string& alert, const std::string& severity) {
  std::vector<std::string> out;
  const std::string file = RuleFile(monitors, "rules/apimonitors-alerts.yaml");
  if (file.empty()) return out;
  for (const auto& group : YAML::Load(file)["groups"]) {
    for (const auto& rule : group["rules"]) {
      if (rule["alert"] && rule["alert"].as<std::string>() == alert &&
          rule["labels"]["severity"].as<std::string>() == severity) {
        out.push_back(rule["expr"].as<std::string>());
      }
    }
  }
  return out;
}

model::ApiMonitor SloMonitor(const std::string& name, double objective,
                             const std::string& window = "30d") {
  model::ApiMonitor m = Monitor("shop", name);
  model::RedSlo slo;
  slo.availability_objective = objective;
  slo.window = model::MakeDuration(window);
  m.spec.red.slo = slo;
  return m;
}

TEST(Rules, BurnRatesFollowTheSreWorkbookAndScaleWithTheWindow) {
  const auto page = AlertExprs({SloMonitor("api", 99.9)}, "PulseApiErrorBudgetBurn", "page");
  ASSERT_EQ(page.size(), 1u);
  const std::string objective =
      "(1 - pulse_apimonitor:slo_objective:ratio{slo=\"availability\",slo_window=\"30d\"})";
  EXPECT_NE(page[0].find(":rate1h > on (pulse_apimonitor) group_left ()\n    (14.4 * " + objective),
            std::string::npos)
      << page[0];
  EXPECT_NE(page[0].find(":rate5m > "), std::string::npos);
  EXPECT_NE(page[0].find(":rate6h > on (pulse_apimonitor) group_left ()\n    (6 * "),
            std::string::npos);
  const auto ticket = AlertExprs({SloMonitor("api", 99.9)}, "PulseApiErrorBudgetBurn", "ticket");
  ASSERT_EQ(ticket.size(), 1u);
  EXPECT_NE(ticket[0].find(":rate1d > on (pulse_apimonitor) group_left ()\n    (3 * "),
            std::string::npos);
  EXPECT_NE(ticket[0].find(":rate3d > on (pulse_apimonitor) group_left ()\n    (1 * "),
            std::string::npos);
  // One set of burn alerts per distinct SLO window, not per monitor.
  const auto mixed = AlertExprs({SloMonitor("a", 99.9), SloMonitor("b", 99), SloMonitor("c", 99.5),
                                 SloMonitor("d", 99.9, "7d"), SloMonitor("e", 99.9, "168h")},
                                "PulseApiErrorBudgetBurn", "page");
  ASSERT_EQ(mixed.size(), 2u);
  EXPECT_NE(mixed[0].find("(3.36 * (1 - pulse_apimonitor:slo_objective:ratio{slo=\"availability\","
                          "slo_window=\"1w\"})"),
            std::string::npos)
      << mixed[0];  // windows ascending: 7d first
  // No latency SLO: no latency burn alert; the generic p99 alert leaves out monitors that have
  // a latency SLO, the generic error-ratio alert those with an availability SLO.
  EXPECT_TRUE(AlertExprs({SloMonitor("api", 99.9)}, "PulseApiLatencyBudgetBurn", "page").empty());
  const auto high_error =
      AlertExprs({SloMonitor("api", 99.9)}, "PulseApiHighErrorRatio", "warning");
  ASSERT_EQ(high_error.size(), 1u);
  EXPECT_NE(high_error[0].find("unless on (pulse_apimonitor)\n(\n  "
                               "pulse_apimonitor:slo_objective:ratio{slo=\"availability\"}"),
            std::string::npos)
      << high_error[0];
}

TEST(Rules, PerMonitorOnlyObjectivesAsOneLineSeries) {
  const std::vector<model::ApiMonitor> monitors{SloMonitor("api", 99.95)};
  const std::string own = RuleFile(monitors, "rules/apimonitor_shop_api.yaml");
  const YAML::Node rules = YAML::Load(own)["groups"][0]["rules"];
  ASSERT_EQ(rules.size(), 2u) << own;  // its objective and its scrape job's expected series
  EXPECT_EQ(rules[0]["record"].as<std::string>(), "pulse_apimonitor:slo_objective:ratio");
  EXPECT_EQ(rules[0]["expr"].as<std::string>(), "vector(0.9995)");
  EXPECT_EQ(rules[0]["labels"]["pulse_apimonitor"].as<std::string>(), "shop/api");
  EXPECT_EQ(rules[0]["labels"]["slo"].as<std::string>(), "availability");
  EXPECT_EQ(rules[0]["labels"]["slo_window"].as<std::string>(), "30d");
  for (const auto& [percent, ratio] : std::vector<std::pair<double, std::string>>{
           {99.9, "0.999"}, {99, "0.99"}, {50, "0.5"}, {0.5, "0.005"}, {99.999, "0.99999"}}) {
    EXPECT_NE(RuleFile({SloMonitor("x", percent)}, "rules/apimonitor_shop_x.yaml")
                  .find("vector(" + ratio + ")"),
              std::string::npos)
        << percent;
  }
  EXPECT_EQ(rules[1]["record"].as<std::string>(), "pulse_apimonitor:scrape_job:expected");
  // A monitor with default settings has one line per scrape job (the absent-target alert's
  // expected series), nothing else.
  const YAML::Node plain =
      YAML::Load(RuleFile({Monitor("shop", "plain")}, "rules/apimonitor_shop_plain.yaml"));
  ASSERT_EQ(plain["groups"][0]["rules"].size(), 1u);
  EXPECT_EQ(plain["groups"][0]["rules"][0]["expr"].as<std::string>(), "vector(1)");
  // red.alerts: false: only the opt-out marker, no expected series.
  model::ApiMonitor quiet = Monitor("shop", "quiet");
  quiet.spec.red.alerts = false;
  const YAML::Node off = YAML::Load(RuleFile({quiet}, "rules/apimonitor_shop_quiet.yaml"));
  ASSERT_EQ(off["groups"][0]["rules"].size(), 1u);
  EXPECT_EQ(off["groups"][0]["rules"][0]["record"].as<std::string>(),
            "pulse_apimonitor:alerts:disabled");
}

TEST(Rules, SharedRulesDoNotGrowWithTheNumberOfMonitors) {
  auto render = [](int n, bool slo) {
    std::vector<model::ApiMonitor> monitors;
    for (int i = 0; i < n; ++i) {
      monitors.push_back(slo ? SloMonitor("api-" + std::to_string(i), 99.9)
                             : Monitor("shop", "api-" + std::to_string(i)));
    }
    return RenderRuleFiles({monitors, {}, {}});
  };
  auto shared_files = [](std::vector<RenderedFile> files) {
    std::erase_if(files,
                  [](const RenderedFile& f) { return f.path.starts_with("rules/apimonitor_"); });
    return files;
  };
  const auto one = shared_files(render(1, false));
  const auto many = shared_files(render(500, false));
  EXPECT_EQ(one, many);  // same shared files, byte for byte
  ASSERT_EQ(many.size(), 2u);
  EXPECT_EQ(many[0].path, "rules/apimonitors-alerts.yaml");
  EXPECT_EQ(many[1].path, "rules/apimonitors-red-default.yaml");
  std::size_t shared = 0, own = 0;
  for (const auto& f : render(500, true)) {
    (f.path.rfind("rules/apimonitor_", 0) == 0 ? own : shared) += f.content.size();
  }
  EXPECT_LT(own, 500u * 600u);  // a few tiny lines per monitor
  EXPECT_LT(shared, 20'000u);
}

TEST(Rules, MappingsGetTheirOwnGroupAndCanonicalLabels) {
  model::ApiMonitor otel = Monitor("shop", "otel");
  otel.spec.red.histogram_metric = "http_server_request_duration_seconds";
  otel.spec.red.method_label = "http_request_method";
  EXPECT_EQ(RedMappingName(Monitor("shop", "a").spec.red), "default");
  const std::string name = RedMappingName(otel.spec.red);
  // Pinned: the name is a target label and a file name; changing it churns series and files.
  EXPECT_EQ(name, "http_server_request_duration_seconds-73a1490bb868");
  model::ApiMonitor other = otel;
  other.spec.red.route_label = "http_route";
  EXPECT_NE(RedMappingName(other.spec.red), name);
  const std::string red =
      RuleFile({otel, Monitor("shop", "a")}, "rules/apimonitors-red-" + name + ".yaml");
  EXPECT_NE(red.find("{pulse_red_mapping=\"" + name + "\"}"), std::string::npos) << red;
  EXPECT_NE(red.find("sum by (pulse_apimonitor, method, route, status) (label_replace(sum by "
                     "(pulse_apimonitor, http_request_method, route, status)"),
            std::string::npos)
      << red;
  const YAML::Node job = FirstJob({otel});
  bool labelled = false;
  for (const auto& r : job["relabel_configs"]) {
    if (r["target_label"] && r["target_label"].as<std::string>() == "pulse_red_mapping") {
      labelled = r["replacement"].as<std::string>() == name;
    }
  }
  EXPECT_TRUE(labelled);
}

TEST(Rules, LatencySloUsesTheBucketOfTheThresholdInBothSpellings) {
  model::ApiMonitor m = Monitor("shop", "api");
  model::RedSlo slo;
  slo.latency_threshold = model::MakeDuration("1s");
  slo.latency_objective = 99;
  m.spec.red.slo = slo;
  model::ApiMonitor n = m;
  n.metadata.name = "api2";
  n.spec.red.slo->latency_threshold = model::MakeDuration("250ms");
  const std::string red = RuleFile({m, n}, "rules/apimonitors-red-default.yaml");
  EXPECT_NE(red.find("le=~\"1(\\\\.0)?\""), std::string::npos) << red;
  EXPECT_NE(red.find("le=~\"0\\\\.25\""), std::string::npos);
  EXPECT_NE(red.find("slo_threshold=\"0.25\""), std::string::npos);
}

TEST(Rules, AlertsSwitchOffIsOneSeriesAndNoAlertFile) {
  model::ApiMonitor m = Monitor("shop", "api");
  m.spec.red.alerts = false;
  const std::vector<model::ApiMonitor> monitors{m};
  EXPECT_EQ(RuleFile(monitors, "rules/apimonitors-alerts.yaml"), "");
  EXPECT_NE(RuleFile(monitors, "rules/apimonitors-red-default.yaml")
                .find("record: pulse_apimonitor:http_requests:rate5m"),
            std::string::npos);
  EXPECT_NE(RuleFile(monitors, "rules/apimonitor_shop_api.yaml")
                .find("record: pulse_apimonitor:alerts:disabled"),
            std::string::npos);
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

TEST(Dashboards, PerMonitorDashboardIsOptIn) {
  model::ApiMonitor on = Monitor("shop", "a");
  on.spec.dashboard.per_monitor = true;
  model::ApiMonitor off = Monitor("shop", "b");  // default: only the templated dashboard
  model::ApiMonitor deprecated_off = Monitor("shop", "c");
  deprecated_off.spec.dashboard.per_monitor = true;
  deprecated_off.spec.red.dashboard = false;
  const std::vector<model::ApiMonitor> monitors{off, on, deprecated_off};
  const auto files = RenderDashboards({monitors, {}, {}});
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "dashboards/apimonitor_shop_a.json");
  EXPECT_EQ(files[1].path, "dashboards/overview.json");
  EXPECT_EQ(files[2].path, "dashboards/red.json");
  const auto board = nlohmann::json::parse(files[0].content);
  EXPECT_EQ(board["uid"], DashboardUid("ApiMonitor", "shop", "a"));
  EXPECT_EQ(board["templating"]["list"][0]["name"], "datasource");
}

TEST(Dashboards, TemplatedRedDashboardReadsTheSharedRecordingsOfTheChosenApi) {
  const auto board = nlohmann::json::parse(RenderRedDashboard({}));
  EXPECT_EQ(board["uid"], "pulse-red");
  const auto& vars = board["templating"]["list"];
  ASSERT_EQ(vars.size(), 3u);
  EXPECT_EQ(vars[1]["name"], "namespace");
  EXPECT_EQ(vars[1]["query"]["query"],
            "label_values(pulse_apimonitor:http_requests:rate5m, pulse_apimonitor)");
  EXPECT_EQ(vars[2]["name"], "api");
  EXPECT_EQ(vars[2]["query"]["query"],
            "label_values(pulse_apimonitor:http_requests:rate5m{pulse_apimonitor=~\"$namespace/"
            ".*\"}, pulse_apimonitor)");
  int queries = 0;
  for (const auto& panel : board["panels"]) {
    for (const auto& target : panel.value("targets", nlohmann::json::array())) {
      const std::string expr = target["expr"];
      EXPECT_NE(expr.find("pulse_apimonitor=\"$api\""), std::string::npos) << expr;
      // No raw RED histogram: its name and labels differ between mappings.
      EXPECT_EQ(expr.find("http_request_duration_seconds_"), std::string::npos) << expr;
      ++queries;
    }
  }
  EXPECT_GT(queries, 15);
}

// Every recorded series the shared dashboards read is recorded by some rule (for monitors with
// every kind of SLO), so a renamed rule cannot leave an empty panel behind.
TEST(Dashboards, SharedDashboardsReadOnlyRecordedSeries) {
  model::ApiMonitor m = Monitor("shop", "api");
  model::RedSlo slo;
  slo.availability_objective = 99.9;
  slo.latency_threshold = model::MakeDuration("250ms");
  slo.latency_objective = 99;
  m.spec.red.slo = slo;
  const std::vector<model::ApiMonitor> monitors{m};
  std::set<std::string> recorded;
  for (const auto& f : RenderRuleFiles({monitors, {}, {}})) {
    for (const auto& group : YAML::Load(f.content)["groups"]) {
      for (const auto& rule : group["rules"]) {
        if (rule["record"]) recorded.insert(rule["record"].as<std::string>());
      }
    }
  }
  const std::regex name(R"([a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]+)");
  for (const std::string& board : {RenderRedDashboard({}), RenderOverviewDashboard({})}) {
    const auto json = nlohmann::json::parse(board);
    for (const auto& panel : json["panels"]) {
      for (const auto& target : panel.value("targets", nlohmann::json::array())) {
        const std::string expr = target["expr"];
        for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it) {
          EXPECT_EQ(recorded.count(it->str()), 1u) << json["uid"] << ": " << expr;
        }
      }
    }
  }
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
      EXPECT_TRUE(nlohmann::json::accept(f.content)) << f.path;
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
