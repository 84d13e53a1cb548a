// The CRDs in crds/ without a cluster: structural (every node typed, objects with properties or
// additionalProperties, arrays with items), a description on every field so `kubectl explain`
// teaches the user, and the schema defaults equal to the defaults the C++ parser applies.
// (tests/model/crd_apply_test.cc applies them to a real kube-apiserver.)
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "pulse/base/duration.h"
#include "pulse/base/exporter_limits.h"
#include "pulse/model/parse.h"
#include "pulse/testenv/testenv.h"

namespace pulse::model {
namespace {

YAML::Node LoadCrd(const std::string& name) {
  return YAML::LoadFile(testenv::SourceDir() + "/crds/" + name + ".yaml");
}

YAML::Node Schema(const YAML::Node& crd) {
  return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

// Walks every schema node, collecting problems and defaults by path.
class Walker {
 public:
  std::vector<std::string> problems;
  std::map<std::string, std::string> defaults;

  void Walk(const YAML::Node& node, const std::string& path, bool is_root_metadata = false) {
    if (!node.IsMap()) {
      problems.push_back(path + ": schema is not a map");
      return;
    }
    const bool int_or_string =
        node["x-kubernetes-int-or-string"] && node["x-kubernetes-int-or-string"].as<bool>();
    if (!node["type"] && !int_or_string) problems.push_back(path + ": no type");
    if (is_root_metadata) {
      if (node.size() != 1) problems.push_back(path + ": metadata must be exactly {type: object}");
      return;
    }
    if (!node["description"] || node["description"].as<std::string>().size() < 8) {
      problems.push_back(path + ": no description");
    }
    if (node["default"]) defaults[path] = YAML::Dump(node["default"]);
    const std::string type = node["type"] ? node["type"].as<std::string>() : "";
    if (type == "object") {
      if (node["properties"] && node["additionalProperties"])
        problems.push_back(path + ": both properties and additionalProperties");
      if (!node["properties"] && !node["additionalProperties"] && path != ".metadata") {
        problems.push_back(path + ": object without properties or additionalProperties");
      }
      for (const auto& p : node["properties"]) {
        const std::string key = p.first.as<std::string>();
        Walk(p.second, path + "." + key, path.empty() && key == "metadata");
      }
      if (node["additionalProperties"]) Walk(node["additionalProperties"], path + ".*");
      if (node["required"]) {
        for (const auto& r : node["required"]) {
          if (!node["properties"][r.as<std::string>()])
            problems.push_back(path + ": required " + r.as<std::string>() + " is not a property");
        }
      }
    } else if (type == "array") {
      if (!node["items"]) {
        problems.push_back(path + ": array without items");
      } else {
        Walk(node["items"], path + "[]");
      }
    } else if (node["properties"] || node["items"]) {
      problems.push_back(path + ": properties/items on a " + type);
    }
    if (node["pattern"] && node["pattern"].as<std::string>().front() != '^')
      problems.push_back(path + ": unanchored pattern");
  }
};

TEST(CrdSchema, NamesAndShape) {
  struct Expect {
    const char* file;
    const char* kind;
    const char* plural;
    const char* short_name;
  };
  for (const Expect& e : {Expect{"apimonitor", "ApiMonitor", "apimonitors", "apimon"},
                          Expect{"exporter", "Exporter", "exporters", "pexp"}}) {
    YAML::Node crd = LoadCrd(e.file);
    EXPECT_EQ(crd["apiVersion"].as<std::string>(), "apiextensions.k8s.io/v1");
    EXPECT_EQ(crd["metadata"]["name"].as<std::string>(),
              std::string(e.plural) + ".monitoring.pulse.dev");
    const YAML::Node spec = crd["spec"];
    EXPECT_EQ(spec["group"].as<std::string>(), "monitoring.pulse.dev");
    EXPECT_EQ(spec["names"]["kind"].as<std::string>(), e.kind);
    EXPECT_EQ(spec["names"]["shortNames"][0].as<std::string>(), e.short_name);
    EXPECT_EQ(spec["names"]["categories"][0].as<std::string>(), "pulse");
    EXPECT_EQ(spec["scope"].as<std::string>(), "Namespaced");
    const YAML::Node version = spec["versions"][0];
    EXPECT_EQ(version["name"].as<std::string>(), "v1alpha1");
    EXPECT_TRUE(version["subresources"]["status"].IsMap());
    std::set<std::string> columns;
    for (const auto& c : version["additionalPrinterColumns"])
      columns.insert(c["name"].as<std::string>());
    EXPECT_TRUE(columns.count("Ready") && columns.count("Reason") && columns.count("Age"))
        << e.kind;
    const YAML::Node status = Schema(crd)["properties"]["status"]["properties"];
    EXPECT_TRUE(status["observedGeneration"].IsMap());
    EXPECT_TRUE(status["generated"].IsMap());
    const YAML::Node condition = status["conditions"]["items"]["properties"];
    for (const char* field :
         {"type", "status", "reason", "message", "lastTransitionTime", "observedGeneration"}) {
      EXPECT_TRUE(condition[field].IsMap()) << e.kind << " condition." << field;
    }
  }
}

TEST(CrdSchema, StructuralWithADescriptionOnEveryField) {
  for (const char* file : {"apimonitor", "exporter"}) {
    Walker w;
    w.Walk(Schema(LoadCrd(file)), "");
    std::string all;
    for (const auto& p : w.problems) all += p + "\n";
    EXPECT_TRUE(w.problems.empty()) << file << ":\n" << all;
  }
}

// Every default in the CRDs, by schema path. The parser must apply the same ones (next test).
const std::map<std::string, std::string> kApiMonitorDefaults = {
    {".spec.endpoints[].path", "/metrics"},
    {".spec.endpoints[].scheme", "http"},
    {".spec.endpoints[].interval", "30s"},
    {".spec.endpoints[].honorLabels", "false"},
    {".spec.endpoints[].relabelings[].action", "replace"},
    {".spec.endpoints[].metricRelabelings[].action", "replace"},
    {".spec.endpoints[].tlsConfig.insecureSkipVerify", "false"},
    {".spec.namespaceSelector.any", "false"},
    {".spec.red", "{}"},
    {".spec.red.histogramMetric", "http_request_duration_seconds"},
    {".spec.red.methodLabel", "method"},
    {".spec.red.routeLabel", "route"},
    {".spec.red.statusLabel", "status"},
    {".spec.red.perUserMetric", "http_requests_by_user_total"},
    {".spec.red.userLabel", "user"},
    {".spec.red.slo.window", "30d"},
    {".spec.red.dashboard", "true"},
    {".spec.red.alerts", "true"},
    {".spec.dashboard", "{}"},
    {".spec.dashboard.perMonitor", "false"},
};
const std::map<std::string, std::string> kExporterDefaults = {
    {".spec.interval", "30s"},
    {".spec.rabbitmq.refreshInterval", "15s"},
    {".spec.rabbitmq.tlsConfig.insecureSkipVerify", "false"},
    {".spec.postgresql.port", "5432"},
    {".spec.postgresql.sslMode", "prefer"},
    {".spec.postgresql.refreshInterval", "15s"},
    {".spec.postgresql.sizeRefreshInterval", "5m"},
    {".spec.s3.region", "us-east-1"},
    {".spec.s3.pathStyle", "false"},
    {".spec.s3.refreshInterval", "5m"},
    {".spec.s3.tlsConfig.insecureSkipVerify", "false"},
};

TEST(CrdSchema, DefaultsAreExactlyTheDocumentedOnes) {
  Walker apimon;
  apimon.Walk(Schema(LoadCrd("apimonitor")), "");
  EXPECT_EQ(apimon.defaults, kApiMonitorDefaults);
  Walker exporter;
  exporter.Walk(Schema(LoadCrd("exporter")), "");
  EXPECT_EQ(exporter.defaults, kExporterDefaults);
}

TEST(CrdSchema, ParserAppliesTheSameDefaults) {
  ParseResult m = ParseYaml(R"(apiVersion: monitoring.pulse.dev/v1alpha1
kind: ApiMonitor
metadata: {name: m}
spec:
  selector: {}
  endpoints: [{port: http, relabelings: [{targetLabel: x}], metricRelabelings: [{targetLabel: x}], tlsConfig: {}}]
  red: {slo: {}}
)",
                            "m.yaml");
  ASSERT_TRUE(m.errors.empty()) << m.errors[0].ToString();
  const ApiMonitor& a = m.objects.api_monitors.at(0);
  const Endpoint& ep = a.spec.endpoints.at(0);
  const RedSpec& red = a.spec.red;
  const std::map<std::string, std::string> parsed = {
      {".spec.endpoints[].path", ep.path},
      {".spec.endpoints[].scheme", SchemeName(ep.scheme)},
      {".spec.endpoints[].interval", ep.interval.text},
      {".spec.endpoints[].honorLabels", ep.honor_labels ? "true" : "false"},
      {".spec.endpoints[].relabelings[].action", RelabelActionName(ep.relabelings.at(0).action)},
      {".spec.endpoints[].metricRelabelings[].action",
       RelabelActionName(ep.metric_relabelings.at(0).action)},
      {".spec.endpoints[].tlsConfig.insecureSkipVerify",
       ep.tls->insecure_skip_verify ? "true" : "false"},
      {".spec.namespaceSelector.any", a.spec.namespace_selector.any ? "true" : "false"},
      {".spec.red", "{}"},
      {".spec.red.histogramMetric", red.histogram_metric},
      {".spec.red.methodLabel", red.method_label},
      {".spec.red.routeLabel", red.route_label},
      {".spec.red.statusLabel", red.status_label},
      {".spec.red.perUserMetric", red.per_user_metric},
      {".spec.red.userLabel", red.user_label},
      {".spec.red.slo.window", red.slo->window.text},
      {".spec.red.dashboard", red.dashboard ? "true" : "false"},
      {".spec.red.alerts", red.alerts ? "true" : "false"},
      {".spec.dashboard", "{}"},
      {".spec.dashboard.perMonitor", a.spec.dashboard.per_monitor ? "true" : "false"},
  };
  EXPECT_EQ(parsed, kApiMonitorDefaults);

  const std::string creds = "{username: {name: s, key: u}, password: {name: s, key: p}}";
  ParseResult x = ParseYaml(
      "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: Exporter\nmetadata: {name: x}\nspec:\n  "
      "type: rabbitmq\n"
      "  rabbitmq: {url: 'http://r', credentials: " +
          creds +
          ", tlsConfig: {}}\n"
          "  postgresql: {host: h, databases: [d], credentials: " +
          creds +
          "}\n"
          "  s3: {buckets: [{name: abc}], credentials: {accessKeyId: {name: s, key: a}, "
          "secretAccessKey: {name: s, key: b}}, tlsConfig: {}}\n",
      "x.yaml");
  ASSERT_TRUE(x.errors.empty()) << x.errors[0].ToString();
  const ExporterSpec& s = x.objects.exporters.at(0).spec;
  const std::map<std::string, std::string> parsed_exporter = {
      {".spec.interval", s.interval.text},
      {".spec.rabbitmq.refreshInterval", s.rabbitmq->refresh_interval.text},
      {".spec.rabbitmq.tlsConfig.insecureSkipVerify",
       s.rabbitmq->tls->insecure_skip_verify ? "true" : "false"},
      {".spec.postgresql.port", std::to_string(s.postgresql->port)},
      {".spec.postgresql.sslMode", s.postgresql->ssl_mode},
      {".spec.postgresql.refreshInterval", s.postgresql->refresh_interval.text},
      {".spec.postgresql.sizeRefreshInterval", s.postgresql->size_refresh_interval.text},
      {".spec.s3.region", s.s3->region},
      {".spec.s3.pathStyle", s.s3->path_style ? "true" : "false"},
      {".spec.s3.refreshInterval", s.s3->refresh_interval.text},
      {".spec.s3.tlsConfig.insecureSkipVerify", s.s3->tls->insecure_skip_verify ? "true" : "false"},
  };
  EXPECT_EQ(parsed_exporter, kExporterDefaults);
}

// The schema node at a dotted path below .spec ("rabbitmq.vhosts[]" = the list's items).
YAML::Node SpecNode(const YAML::Node& schema, const std::string& dotted) {
  YAML::Node node;
  node.reset(schema["properties"]["spec"]);
  std::size_t pos = 0;
  while (pos < dotted.size()) {
    std::size_t end = dotted.find('.', pos);
    if (end == std::string::npos) end = dotted.size();
    std::string part = dotted.substr(pos, end - pos);
    const bool items = part.size() > 2 && part.ends_with("[]");
    if (items) part.resize(part.size() - 2);
    // reset(), not operator=: assigning a YAML::Node overwrites the node it refers to.
    node.reset(node["properties"][part]);
    if (!node) return node;
    if (items) node.reset(node["items"]);
    pos = end + 1;
  }
  return node;
}

// The CRD states the same exporter limits the model and pulse-exporter enforce
// (pulse/base/exporter_limits.h): list sizes, lengths, and the refresh ranges its descriptions
// promise ("between 1s and 7d").
TEST(CrdSchema, ExporterLimitsAreTheSharedOnes) {
  namespace limits = base::exporter_limits;
  const YAML::Node schema = Schema(LoadCrd("exporter"));
  const std::map<std::string, std::pair<const char*, std::size_t>> bounds = {
      {"rabbitmq.url", {"maxLength", limits::kMaxUrlBytes}},
      {"rabbitmq.vhosts", {"maxItems", limits::kMaxVhosts}},
      {"rabbitmq.vhosts[]", {"maxLength", limits::kMaxVhostBytes}},
      {"rabbitmq.deadLetterQueues", {"maxItems", limits::kMaxDeadLetterQueues}},
      {"rabbitmq.deadLetterQueues[]", {"maxLength", limits::kMaxQueueNameBytes}},
      {"rabbitmq.deadLetterQueueRegex", {"maxLength", limits::kMaxDeadLetterQueueRegexBytes}},
      {"postgresql.databases", {"maxItems", limits::kMaxDatabases}},
      {"postgresql.databases[]", {"maxLength", limits::kMaxDatabaseNameBytes}},
      {"s3.endpoint", {"maxLength", limits::kMaxUrlBytes}},
      {"s3.region", {"maxLength", limits::kMaxRegionBytes}},
      {"s3.buckets", {"maxItems", limits::kMaxBuckets}},
      {"s3.buckets[].prefixes", {"maxItems", limits::kMaxPrefixesPerBucket}},
      {"s3.buckets[].prefixes[]", {"maxLength", limits::kMaxPrefixBytes}},
  };
  for (const auto& [path, bound] : bounds) {
    const YAML::Node node = SpecNode(schema, path);
    ASSERT_TRUE(node && node[bound.first]) << path << " has no " << bound.first;
    EXPECT_EQ(node[bound.first].as<std::size_t>(), bound.second) << path << "." << bound.first;
  }
  for (const char* path : {"rabbitmq.refreshInterval", "postgresql.refreshInterval",
                           "postgresql.sizeRefreshInterval", "s3.refreshInterval"}) {
    const YAML::Node node = SpecNode(schema, path);
    ASSERT_TRUE(node) << path;
    std::string description = node["description"].as<std::string>();
    const auto at = description.find("between ");
    ASSERT_NE(at, std::string::npos) << path << ": the description must state the range";
    std::string min, max;
    std::istringstream words(description.substr(at + 8));
    std::string and_word;
    words >> min >> and_word >> max;
    while (!max.empty() && (max.back() == '.' || max.back() == ',')) max.pop_back();
    EXPECT_EQ(and_word, "and") << path;
    EXPECT_EQ(base::ParseDuration(min).value, limits::kMinRefreshInterval) << path << ": " << min;
    EXPECT_EQ(base::ParseDuration(max).value, limits::kMaxRefreshInterval) << path << ": " << max;
    // The schema's duration pattern is the grammar pulse::base parses.
    EXPECT_EQ(node["pattern"].as<std::string>(),
              "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-"
              "9]+)ms)?)$")
        << path;
  }
}

}  // namespace
}  // namespace pulse::model
