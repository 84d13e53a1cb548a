// Validation: every error reported, each object rejected alone, cross-object rules.
#include "pulse/model/validate.h"

#include <gtest/gtest.h>

#include "pulse/model/parse.h"

namespace pulse::model {
namespace {

std::string Monitor(const std::string& name, const std::string& endpoint) {
  return "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: " + name +
         "}\nspec:\n  selector: {matchLabels: {app: " + name + "}}\n  endpoints: [" + endpoint +
         "]\n";
}

std::vector<std::string> Strings(const std::vector<Error>& errors) {
  std::vector<std::string> out;
  for (const Error& e : errors) out.push_back(e.ToString());
  return out;
}

TEST(Validate, ErrorNamesFileObjectFieldAndValue) {
  ParseResult r = ParseYaml(Monitor("shop", "{port: http, interval: 15s, scrapeTimeout: 30s}"),
                            "examples/shop.yaml");
  ASSERT_TRUE(r.errors.empty());
  ValidationResult v = Validate(r.objects);
  ASSERT_EQ(v.rejected.size(), 1u);
  const Error& e = v.rejected[0].errors.at(0);
  EXPECT_EQ(e.ToString(),
            "examples/shop.yaml: ApiMonitor default/shop: spec.endpoints[0].scrapeTimeout: 30s "
            "exceeds interval 15s");
  EXPECT_EQ(e.code, ErrorCode::kConflict);
  EXPECT_EQ(e.path, "spec.endpoints[0].scrapeTimeout");
  EXPECT_EQ(e.value, "30s");
  EXPECT_EQ(std::string(ErrorCodeName(e.code)), "conflict");
}

TEST(Validate, ReportsEveryErrorOfAnObject) {
  ParseResult r = ParseYaml(Monitor("shop",
                                    "{port: http, interval: 15s, scrapeTimeout: 30s, relabelings: "
                                    "[{sourceLabels: [a-b], regex: '(', "
                                    "action: replace}]}"),
                            "f.yaml");
  ASSERT_TRUE(r.errors.empty());
  ValidationResult v = Validate(r.objects);
  ASSERT_EQ(v.rejected.size(), 1u);
  EXPECT_EQ(Strings(v.rejected[0].errors),
            (std::vector<std::string>{
                "f.yaml: ApiMonitor default/shop: spec.endpoints[0].scrapeTimeout: 30s exceeds "
                "interval 15s",
                "f.yaml: ApiMonitor default/shop: "
                "spec.endpoints[0].relabelings[0].sourceLabels[0]: \"a-b\" is not a "
                "valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)",
                "f.yaml: ApiMonitor default/shop: spec.endpoints[0].relabelings[0].regex: \"(\" is "
                "not a valid RE2 "
                "regular expression: missing ): (",
                "f.yaml: ApiMonitor default/shop: spec.endpoints[0].relabelings[0].targetLabel: "
                "required for action "
                "replace",
            }));
}

TEST(Validate, AnInvalidObjectIsRejectedAloneAndTheOthersStayValid) {
  ParseResult r = ParseYaml(Monitor("shop", "{port: http}") + "---\n" +
                                Monitor("crm", "{port: http, interval: 0s}") + "---\n" +
                                Monitor("mes", "{port: http}"),
                            "all.yaml");
  ASSERT_TRUE(r.errors.empty());
  ValidationResult v = Validate(r.objects);
  ASSERT_EQ(v.valid.api_monitors.size(), 2u);
  EXPECT_EQ(v.valid.api_monitors[0].metadata.name, "shop");
  EXPECT_EQ(v.valid.api_monitors[1].metadata.name, "mes");
  ASSERT_EQ(v.rejected.size(), 1u);
  EXPECT_EQ(v.rejected[0].name, "crm");
  EXPECT_EQ(v.rejected[0].source.document, 1);
  EXPECT_EQ(Strings(v.AllErrors()),
            std::vector<std::string>{"all.yaml: ApiMonitor default/crm: "
                                     "spec.endpoints[0].interval: 0s is out of range [1s, 1d]"});
}

TEST(Validate, DuplicateJobNamesRejectEachOffenderOnly) {
  ParseResult a = ParseYaml(Monitor("shop", "{port: http}"), "a.yaml");
  ParseResult b = ParseYaml(Monitor("shop", "{port: web}"), "b.yaml");
  ParseResult c = ParseYaml(Monitor("crm", "{port: http}"), "c.yaml");
  Objects all;
  for (ParseResult* p : {&a, &b, &c}) {
    ASSERT_TRUE(p->errors.empty());
    all.api_monitors.push_back(p->objects.api_monitors[0]);
  }
  ValidationResult v = Validate(all);
  ASSERT_EQ(v.valid.api_monitors.size(), 1u);
  EXPECT_EQ(v.valid.api_monitors[0].metadata.name, "crm");
  EXPECT_EQ(Strings(v.AllErrors()),
            (std::vector<std::string>{
                "a.yaml: ApiMonitor default/shop: spec.endpoints[0]: scrape job "
                "\"apimonitor/default/shop/0\" is also "
                "rendered by ApiMonitor default/shop in b.yaml (duplicate object?)",
                "b.yaml: ApiMonitor default/shop: spec.endpoints[0]: scrape job "
                "\"apimonitor/default/shop/0\" is also "
                "rendered by ApiMonitor default/shop in a.yaml (duplicate object?)",
            }));
}

TEST(Validate, SameNameInOtherNamespaceIsFine) {
  ParseResult a = ParseYaml(Monitor("shop", "{port: http}"), "a.yaml");
  ApiMonitor other = a.objects.api_monitors[0];
  other.metadata.namespace_ = "staging";
  a.objects.api_monitors.push_back(other);
  EXPECT_TRUE(Validate(a.objects).ok());
}

TEST(Validate, SecretReferencesResolveAgainstSecretsInTheInput) {
  const std::string monitor =
      Monitor("shop", "{port: http, bearerTokenSecret: {name: tok, key: token}}");
  const std::string secret =
      "apiVersion: v1\nkind: Secret\nmetadata: {name: tok}\nstringData: {other: x}\n";
  ParseResult with_secret = ParseYaml(monitor + "---\n" + secret, "s.yaml");
  EXPECT_EQ(Strings(Validate(with_secret.objects).AllErrors()),
            std::vector<std::string>{
                "s.yaml: ApiMonitor default/shop: spec.endpoints[0].bearerTokenSecret: Secret "
                "default/tok has no key \"token\""});
  ParseResult alone = ParseYaml(monitor, "s.yaml");
  EXPECT_TRUE(Validate(alone.objects).ok());  // the Secret may exist in the cluster
  EXPECT_EQ(Strings(Validate(alone.objects, {.require_secrets = true}).AllErrors()),
            std::vector<std::string>{
                "s.yaml: ApiMonitor default/shop: spec.endpoints[0].bearerTokenSecret: Secret "
                "default/tok not found"});
}

TEST(Validate, ValidateParsedMergesParseAndValidationErrors) {
  ParseResult r = ParseYaml(Monitor("shop", "{port: http, interval: 15s, scrapeTimeout: 20s}") +
                                "---\n" + Monitor("crm", "{port: http, intervall: 15s}") + "---\n" +
                                Monitor("mes", "{port: http}"),
                            "p.yaml");
  CheckedObjects checked = ValidateParsed(r);
  ASSERT_EQ(checked.valid.api_monitors.size(), 1u);
  EXPECT_EQ(checked.valid.api_monitors[0].metadata.name, "mes");
  EXPECT_EQ(Strings(checked.errors),
            (std::vector<std::string>{
                "p.yaml: ApiMonitor default/crm: spec.endpoints[0].intervall: unknown field",
                "p.yaml: ApiMonitor default/shop: spec.endpoints[0].scrapeTimeout: 20s exceeds "
                "interval 15s",
            }));
}

TEST(Validate, RedLabelNamesKeepTheirRoles) {
  auto errors = [](const std::string& red) {
    return Strings(
        Validate(
            ParseYaml(Monitor("shop", "{port: http}") + "  red: " + red + "\n", "m.yaml").objects)
            .AllErrors());
  };
  EXPECT_TRUE(errors("{methodLabel: http_request_method, routeLabel: http_route}").empty());
  EXPECT_EQ(errors("{routeLabel: method}"),
            (std::vector<std::string>{
                "m.yaml: ApiMonitor default/shop: spec.red.routeLabel: \"method\" is the name "
                "pulse records the methodLabel under; use it only as methodLabel"}));
  EXPECT_EQ(errors("{methodLabel: verb, routeLabel: verb}"),
            (std::vector<std::string>{"m.yaml: ApiMonitor default/shop: spec.red.routeLabel: same "
                                      "label as spec.red.methodLabel"}));
  EXPECT_EQ(errors("{statusLabel: le}").size(), 1u);
}

TEST(Validate, ExporterBlockMustMatchType) {
  ParseResult r = ParseYaml(R"(apiVersion: monitoring.pulse.dev/v1alpha1
kind: Exporter
metadata: {name: x}
spec:
  type: s3
  rabbitmq:
    url: http://r:15672
    credentials: {username: {name: a, key: b}, password: {name: a, key: c}}
)",
                            "x.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  EXPECT_EQ(Strings(Validate(r.objects).AllErrors()),
            (std::vector<std::string>{
                "x.yaml: Exporter default/x: spec.rabbitmq: must not be set when type is s3",
                "x.yaml: Exporter default/x: spec.s3: required when type is s3"}));
}

}  // namespace
}  // namespace pulse::model
