// Every example CR in examples/crs parses and validates, Secrets included, and the typed model
// holds what the files say (defaults applied where they are silent).
#include <gtest/gtest.h>

#include <algorithm>

#include "pulse/model/model.h"
#include "pulse/testenv/testenv.h"

namespace pulse::model {
namespace {

std::string ExamplesDir() { return testenv::SourceDir() + "/examples/crs"; }

template <typename T>
const T& Find(const std::vector<T>& items, const std::string& name) {
  auto it =
      std::find_if(items.begin(), items.end(), [&](const T& t) { return t.metadata.name == name; });
  if (it == items.end()) throw std::runtime_error("no object " + name);
  return *it;
}

std::string Join(const std::vector<Error>& errors) {
  std::string out;
  for (const Error& e : errors) out += e.ToString() + "\n";
  return out;
}

TEST(Examples, AllParseAndValidateWithSecretsResolved) {
  ParseResult parsed = LoadPaths({ExamplesDir()});
  ASSERT_TRUE(parsed.errors.empty()) << Join(parsed.errors);
  EXPECT_TRUE(parsed.notes.empty());
  EXPECT_EQ(parsed.objects.api_monitors.size(), 3u);
  EXPECT_EQ(parsed.objects.exporters.size(), 4u);
  EXPECT_EQ(parsed.objects.secrets.size(), 4u);
  ValidationResult v = Validate(parsed.objects, ValidateOptions{.require_secrets = true});
  EXPECT_TRUE(v.ok()) << Join(v.AllErrors());
  EXPECT_EQ(v.valid.api_monitors.size(), 3u);
  EXPECT_EQ(v.valid.exporters.size(), 4u);
}

TEST(Examples, FilesAreReadInSortedOrder) {
  ParseResult parsed = LoadPaths({ExamplesDir()});
  std::vector<std::string> names;
  for (const auto& m : parsed.objects.api_monitors) names.push_back(m.metadata.name);
  EXPECT_EQ(names, (std::vector<std::string>{"crm", "mes", "shop"}));
  std::vector<std::string> exporters;
  for (const auto& x : parsed.objects.exporters) exporters.push_back(x.metadata.name);
  EXPECT_EQ(exporters, (std::vector<std::string>{"mes-db", "rabbitmq", "s3", "shop-db"}));
}

TEST(Examples, ShopIsAServiceMonitorWithSlos) {
  ParseResult parsed = LoadPaths({ExamplesDir() + "/shop.yaml"});
  ASSERT_TRUE(parsed.errors.empty()) << Join(parsed.errors);
  const ApiMonitor& shop = Find(parsed.objects.api_monitors, "shop");
  EXPECT_EQ(shop.source.file, ExamplesDir() + "/shop.yaml");
  EXPECT_EQ(shop.metadata.namespace_, "default");
  ASSERT_TRUE(shop.spec.selector.has_value());
  EXPECT_EQ(shop.spec.selector->match_labels.at("app.kubernetes.io/name"), "shop");
  ASSERT_EQ(shop.spec.endpoints.size(), 1u);
  const Endpoint& ep = shop.spec.endpoints[0];
  EXPECT_EQ(ep.port, "http");
  EXPECT_EQ(ep.interval.value, std::chrono::seconds(15));
  EXPECT_EQ(ep.interval.text, "15s");
  ASSERT_TRUE(ep.scrape_timeout.has_value());
  EXPECT_EQ(ep.scrape_timeout->value, std::chrono::seconds(10));
  ASSERT_EQ(ep.metric_relabelings.size(), 1u);
  EXPECT_EQ(ep.metric_relabelings[0].action, RelabelAction::kDrop);
  EXPECT_EQ(ep.metric_relabelings[0].regex, "go_.*");
  EXPECT_TRUE(ep.metric_relabelings[0].regex_set);
  EXPECT_EQ(ep.metric_relabelings[0].replacement, "$1");
  EXPECT_FALSE(ep.metric_relabelings[0].replacement_set);
  EXPECT_EQ(shop.spec.sample_limit, 50000u);
  EXPECT_EQ(shop.spec.red.service_name, "Shop");
  EXPECT_EQ(shop.spec.red.histogram_metric, "http_request_duration_seconds");
  EXPECT_EQ(shop.spec.red.method_label, "method");
  EXPECT_EQ(shop.spec.red.route_label, "route");
  EXPECT_EQ(shop.spec.red.status_label, "status");
  EXPECT_TRUE(shop.spec.red.dashboard);
  EXPECT_TRUE(shop.spec.red.alerts);
  ASSERT_TRUE(shop.spec.red.slo.has_value());
  EXPECT_DOUBLE_EQ(*shop.spec.red.slo->availability_objective, 99.9);
  EXPECT_EQ(shop.spec.red.slo->latency_threshold->value, std::chrono::milliseconds(250));
  EXPECT_DOUBLE_EQ(*shop.spec.red.slo->latency_objective, 99.0);
  EXPECT_EQ(shop.spec.red.slo->window.value, std::chrono::hours(24 * 30));
  EXPECT_EQ(ScrapeJobName(shop, 0), "apimonitor/default/shop/0");
}

TEST(Examples, MesIsSelectedInItsOwnNamespace) {
  ParseResult parsed = LoadPaths({ExamplesDir() + "/mes.yaml"});
  ASSERT_TRUE(parsed.errors.empty()) << Join(parsed.errors);
  const ApiMonitor& mes = Find(parsed.objects.api_monitors, "mes");
  ASSERT_TRUE(mes.spec.selector.has_value());
  EXPECT_EQ(mes.spec.selector->match_labels.at("app.kubernetes.io/name"), "mes");
  EXPECT_TRUE(mes.spec.static_targets.empty());
  EXPECT_EQ(mes.spec.namespace_selector.match_names, (std::vector<std::string>{"mes"}));
  EXPECT_EQ(mes.spec.endpoints[0].port, "metrics");
  EXPECT_EQ(mes.spec.endpoints[0].scheme, Scheme::kHttp);
  EXPECT_EQ(mes.spec.red.histogram_metric, "http_request_duration_seconds");
  EXPECT_EQ(mes.spec.red.status_label, "status");
}

TEST(Examples, CrmDefaultsAndScrapeTimeout) {
  ParseResult parsed = LoadPaths({ExamplesDir() + "/crm.yaml"});
  const ApiMonitor& crm = Find(parsed.objects.api_monitors, "crm");
  const Endpoint& ep = crm.spec.endpoints[0];
  EXPECT_EQ(ep.path, "/metrics");  // default
  EXPECT_FALSE(ep.scrape_timeout.has_value());
  EXPECT_EQ(EffectiveScrapeTimeout(ep).text, "10s");
  EXPECT_EQ(crm.spec.namespace_selector.match_names, (std::vector<std::string>{"default", "crm"}));
  EXPECT_EQ(crm.spec.job_label, "app.kubernetes.io/name");
  EXPECT_FALSE(ep.bearer_token_secret.has_value());
  EXPECT_EQ(crm.spec.red.per_user_metric, "http_requests_by_user_total");
  EXPECT_EQ(crm.spec.red.slo->window.text, "30d");  // default
}

TEST(Examples, ExportersHaveTheirBlocksAndDefaults) {
  ParseResult parsed = LoadPaths({ExamplesDir()});
  const Exporter& rabbit = Find(parsed.objects.exporters, "rabbitmq");
  EXPECT_EQ(rabbit.spec.type, ExporterType::kRabbitMq);
  ASSERT_TRUE(rabbit.spec.rabbitmq.has_value());
  EXPECT_EQ(rabbit.spec.rabbitmq->url, "http://rabbitmq.default.svc:15672");
  EXPECT_EQ(rabbit.spec.rabbitmq->credentials.username.name, "rabbitmq-monitoring");
  EXPECT_EQ(ScrapeJobName(rabbit), "exporter/default/rabbitmq");
  EXPECT_EQ(WorkloadName(rabbit), "pulse-exporter-rabbitmq");

  const Exporter& mes_db = Find(parsed.objects.exporters, "mes-db");
  ASSERT_TRUE(mes_db.spec.postgresql.has_value());
  EXPECT_EQ(mes_db.spec.postgresql->port, 5432);  // default
  EXPECT_EQ(mes_db.spec.postgresql->ssl_mode, "prefer");
  EXPECT_EQ(mes_db.spec.postgresql->databases, (std::vector<std::string>{"mes"}));
  EXPECT_EQ(mes_db.spec.postgresql->size_refresh_interval.value, std::chrono::minutes(1));
  EXPECT_EQ(mes_db.spec.interval.text, "30s");  // default

  const Exporter& shop_db = Find(parsed.objects.exporters, "shop-db");
  EXPECT_EQ(shop_db.spec.resources.requests.at("cpu"), "50m");
  EXPECT_EQ(shop_db.spec.resources.limits.at("memory"), "128Mi");

  const Exporter& s3 = Find(parsed.objects.exporters, "s3");
  ASSERT_TRUE(s3.spec.s3.has_value());
  EXPECT_TRUE(s3.spec.s3->path_style);
  ASSERT_EQ(s3.spec.s3->buckets.size(), 1u);
  EXPECT_EQ(s3.spec.s3->buckets[0].name, "shop-invoices");
  EXPECT_TRUE(s3.spec.s3->buckets[0].prefixes.empty());
  EXPECT_EQ(s3.spec.s3->credentials.secret_access_key.key, "secret-access-key");

  const Secret& rabbit_login = Find(parsed.objects.secrets, "rabbitmq-monitoring");
  EXPECT_EQ(rabbit_login.data.at("username"), "guest");
}

}  // namespace
}  // namespace pulse::model
