// Parsing: typing rules, JSON from the API server, lists, notes for other kinds.
#include "pulse/model/parse.h"

#include <gtest/gtest.h>

namespace pulse::model {
namespace {

constexpr const char* kMinimalMonitor = R"(apiVersion: monitoring.pulse.dev/v1alpha1
kind: ApiMonitor
metadata: {name: shop}
spec:
  selector: {matchLabels: {app: shop}}
  endpoints: [{port: http}]
)";

TEST(ParseYaml, AppliesDefaultsLikeTheCrd) {
  ParseResult r = ParseYaml(kMinimalMonitor, "m.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  ASSERT_EQ(r.objects.api_monitors.size(), 1u);
  const ApiMonitor& m = r.objects.api_monitors[0];
  EXPECT_EQ(m.metadata.namespace_, "default");
  EXPECT_EQ(m.source.file, "m.yaml");
  EXPECT_EQ(m.source.document, 0);
  const Endpoint& ep = m.spec.endpoints[0];
  EXPECT_EQ(ep.path, "/metrics");
  EXPECT_EQ(ep.scheme, Scheme::kHttp);
  EXPECT_EQ(ep.interval.text, "30s");
  EXPECT_FALSE(ep.scrape_timeout.has_value());
  EXPECT_FALSE(ep.honor_labels);
  EXPECT_EQ(m.spec.sample_limit, 0u);
  EXPECT_FALSE(m.spec.namespace_selector.any);
  EXPECT_EQ(m.spec.red.service_name, "shop");
  EXPECT_EQ(m.spec.red.user_label, "user");
  EXPECT_FALSE(m.spec.red.slo.has_value());
  EXPECT_FALSE(m.spec.dashboard.per_monitor);  // opt-in
}

TEST(ParseYaml, PerMonitorDashboardIsOptIn) {
  ParseResult on =
      ParseYaml(std::string(kMinimalMonitor) + "  dashboard: {perMonitor: true}\n", "m.yaml");
  ASSERT_TRUE(on.errors.empty()) << on.errors[0].ToString();
  EXPECT_TRUE(on.objects.api_monitors.at(0).spec.dashboard.per_monitor);
  ParseResult typo =
      ParseYaml(std::string(kMinimalMonitor) + "  dashboard: {perMonitr: true}\n", "m.yaml");
  ASSERT_EQ(typo.errors.size(), 1u);
  EXPECT_EQ(typo.errors[0].path, "spec.dashboard.perMonitr");
  ParseResult text =
      ParseYaml(std::string(kMinimalMonitor) + "  dashboard: {perMonitor: \"yes\"}\n", "m.yaml");
  ASSERT_EQ(text.errors.size(), 1u);
  EXPECT_EQ(text.errors[0].path, "spec.dashboard.perMonitor");
}

TEST(ParseYaml, MultiDocumentKeepsGoodDocumentsAroundABrokenOne) {
  const std::string text =
      std::string(kMinimalMonitor) + "---\nkind: [unclosed\n---\n" +
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: ns}\n---\n" +
      std::string(kMinimalMonitor).replace(std::string(kMinimalMonitor).find("shop}"), 4, "crm");
  ParseResult r = ParseYaml(text, "multi.yaml");
  ASSERT_EQ(r.objects.api_monitors.size(), 2u);
  EXPECT_EQ(r.objects.api_monitors[1].metadata.name, "crm");
  EXPECT_EQ(r.objects.api_monitors[1].source.document, 3);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kSyntax);
  EXPECT_EQ(r.errors[0].ToString().rfind("multi.yaml: document 2: yaml: line 9", 0), 0u)
      << r.errors[0].ToString();
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0], "multi.yaml: document 3: skipped v1 ConfigMap ns/x (not a pulse kind)");
}

TEST(ParseYaml, QuotedNumbersAreStringsAndPlainOnesAreNot) {
  ParseResult r = ParseYaml(R"(apiVersion: monitoring.pulse.dev/v1alpha1
kind: ApiMonitor
metadata: {name: shop, labels: {version: "1.0"}}
spec:
  staticTargets: [{targets: ["h:1"], labels: {build: "42"}}]
  endpoints: [{path: /metrics}]
)",
                            "q.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  EXPECT_EQ(r.objects.api_monitors[0].metadata.labels.at("version"), "1.0");
  EXPECT_EQ(r.objects.api_monitors[0].spec.static_targets[0].labels.at("build"), "42");
}

TEST(ParseYaml, AnchorsAndAliasesExpand) {
  ParseResult r = ParseYaml(R"(apiVersion: monitoring.pulse.dev/v1alpha1
kind: ApiMonitor
metadata: {name: shop}
spec:
  selector: {matchLabels: {app: shop}}
  endpoints:
    - &ep {port: http, interval: 10s}
    - *ep
)",
                            "a.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  ASSERT_EQ(r.objects.api_monitors[0].spec.endpoints.size(), 2u);
  EXPECT_EQ(r.objects.api_monitors[0].spec.endpoints[1].interval.text, "10s");
}

TEST(ParseJson, AcceptsWhatTheApiServerServes) {
  ParseResult r = ParseJson(R"({
    "apiVersion": "monitoring.pulse.dev/v1alpha1", "kind": "Exporter",
    "metadata": {"name": "shop-db", "namespace": "shop", "uid": "0c0ffee0-1111-2222-3333-444455556666",
                 "generation": 3, "resourceVersion": "12345", "creationTimestamp": "2026-01-01T00:00:00Z",
                 "managedFields": [{"manager": "kubectl"}], "finalizers": ["x"]},
    "spec": {"type": "postgresql", "interval": "30s",
             "postgresql": {"host": "db", "port": 5433, "databases": ["shop"],
                            "credentials": {"username": {"name": "s", "key": "u"},
                                            "password": {"name": "s", "key": "p"}}}},
    "status": {"observedGeneration": 2, "conditions": []}
  })");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  ASSERT_EQ(r.objects.exporters.size(), 1u);
  const Exporter& x = r.objects.exporters[0];
  EXPECT_EQ(x.metadata.uid, "0c0ffee0-1111-2222-3333-444455556666");
  EXPECT_EQ(x.metadata.generation, 3);
  EXPECT_EQ(x.metadata.resource_version, "12345");
  EXPECT_EQ(x.metadata.namespace_, "shop");
  EXPECT_EQ(x.spec.postgresql->port, 5433);
  EXPECT_EQ(x.source.file, "");
}

TEST(ParseJson, ReadsAListResponseWhoseItemsLackKind) {
  ParseResult r =
      ParseJson(R"({"apiVersion": "monitoring.pulse.dev/v1alpha1", "kind": "ApiMonitorList",
    "metadata": {"resourceVersion": "9"},
    "items": [
      {"metadata": {"name": "a"}, "spec": {"selector": {}, "endpoints": [{"port": "http"}]}},
      {"metadata": {"name": "b"}, "spec": {"selector": {}, "endpoints": [{"port": "http", "bogus": 1}]}}
    ]})");
  ASSERT_EQ(r.objects.api_monitors.size(), 1u);
  EXPECT_EQ(r.objects.api_monitors[0].metadata.name, "a");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString(), "ApiMonitor default/b: spec.endpoints[0].bogus: unknown field");
}

TEST(ParseYaml, SecretsDecodeDataAndStringData) {
  ParseResult r = ParseYaml(R"(apiVersion: v1
kind: Secret
metadata: {name: s, namespace: ns}
type: Opaque
data: {a: aGVsbG8=, b: ""}
stringData: {c: plain}
)",
                            "s.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  ASSERT_EQ(r.objects.secrets.size(), 1u);
  EXPECT_EQ(r.objects.secrets[0].data.at("a"), "hello");
  EXPECT_EQ(r.objects.secrets[0].data.at("b"), "");
  EXPECT_EQ(r.objects.secrets[0].data.at("c"), "plain");
}

}  // namespace
}  // namespace pulse::model
