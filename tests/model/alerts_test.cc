// spec.alerts of both kinds and the cluster-wide alert-defaults file: parsing (strict, typed),
// validation (ranges, which alert takes which field, field paths), and resolution (built-in <-
// cluster <- object).
#include "pulse/model/alerts.h"

#include <gtest/gtest.h>

#include "pulse/model/parse.h"
#include "pulse/model/validate.h"

namespace pulse::model {
namespace {

std::string Monitor(const std::string& alerts) {
  return "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: m, "
         "namespace: team}\nspec:\n  selector: {}\n  endpoints: [{port: http}]\n  alerts: " +
         alerts + "\n";
}

std::string RabbitExporter(const std::string& alerts) {
  return "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: Exporter\nmetadata: {name: mq, "
         "namespace: infra}\nspec:\n  type: rabbitmq\n  rabbitmq: {url: 'http://r:15672', "
         "credentials: {username: {name: s, key: u}, password: {name: s, key: p}}}\n  alerts: " +
         alerts + "\n";
}

// Every error (parse, then validation) of the documents, as the CLI prints them.
std::vector<std::string> Errors(const std::string& yaml) {
  const CheckedObjects c = ValidateParsed(ParseYaml(yaml, "f.yaml"));
  std::vector<std::string> out;
  for (const Error& e : c.errors) out.push_back(e.ToString());
  return out;
}

TEST(Alerts, ParsesEveryFieldOfABlock) {
  ParseResult r = ParseYaml(Monitor("{errorRatio: {enabled: true, threshold: 0.02, for: 3m, "
                                    "severity: critical, labels: {team: pay}, runbookURL: "
                                    "'https://r.example/x'}, targetDown: {enabled: false}}"),
                            "f.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  const AlertOverrides& a = r.objects.api_monitors.at(0).spec.alerts;
  ASSERT_EQ(a.size(), 2u);
  const AlertOverride& e = a.at("errorRatio");
  EXPECT_EQ(e.enabled, true);
  EXPECT_EQ(e.threshold, 0.02);
  EXPECT_EQ(e.for_->text, "3m");
  EXPECT_EQ(e.severity, "critical");
  EXPECT_EQ(e.labels, (std::map<std::string, std::string>{{"team", "pay"}}));
  EXPECT_EQ(e.runbook_url, "https://r.example/x");
  EXPECT_EQ(a.at("targetDown").enabled, false);
  EXPECT_FALSE(a.at("targetDown").threshold.has_value());
}

TEST(Alerts, UnknownKeysAndFieldsAreErrorsWithTheirPath) {
  EXPECT_EQ(Errors(Monitor("{inFlightBacklog: {threshold: 1}, errorRatio: {treshold: 1}}")),
            (std::vector<std::string>{
                "f.yaml: ApiMonitor team/m: spec.alerts.errorRatio.treshold: unknown field",
                "f.yaml: ApiMonitor team/m: spec.alerts.inFlightBacklog: unknown field"}));
  EXPECT_EQ(Errors(Monitor("{errorRatio: {enabled: 'no', for: 5 minutes}}")),
            (std::vector<std::string>{
                "f.yaml: ApiMonitor team/m: spec.alerts.errorRatio.enabled: expected boolean, got "
                "string \"no\"",
                "f.yaml: ApiMonitor team/m: spec.alerts.errorRatio.for: invalid duration \"5 "
                "minutes\": unknown or missing unit (want y, w, d, h, m, s or ms)"}));
}

// The expected errors as (field path below spec.alerts, problem) pairs, written as the CLI
// prints them.
std::vector<std::string> Expected(const std::string& object,
                                  const std::vector<std::pair<std::string, std::string>>& items) {
  std::vector<std::string> out;
  for (const auto& [path, problem] : items) {
    out.push_back("f.yaml: " + object + ": spec.alerts." + path + ": " + problem);
  }
  return out;
}

TEST(Alerts, RangesAndApplicability) {
  EXPECT_EQ(Errors(Monitor("{errorRatio: {threshold: 0}, latencyP99: {threshold: 3601, for: 8d}, "
                           "targetDown: {threshold: 1, window: 5m}, targetAbsent: {window: 30s}}")),
            Expected("ApiMonitor team/m",
                     {{"errorRatio.threshold", "0 is out of range (0, 1]"},
                      {"latencyP99.threshold", "3601 is out of range (0, 3600] seconds"},
                      {"latencyP99.for", "8d is out of range [0s, 1w]"},
                      {"targetAbsent.window", "30s is out of range [1m, 1w]"},
                      {"targetDown.threshold",
                       "targetDown has no threshold (it fires on presence / absence)"},
                      {"targetDown.window", "targetDown has no window"}}));
  EXPECT_EQ(
      Errors(RabbitExporter("{inFlightBacklog: {threshold: 2.5}, sizeGrowth: {threshold: "
                            "0.5}, connectionsNearMax: {}}")),
      Expected("Exporter infra/mq",
               {{"connectionsNearMax", "applies only to postgresql Exporters, not rabbitmq"},
                {"inFlightBacklog.threshold", "2.5 is not a whole number of messages"},
                {"sizeGrowth", "applies only to postgresql and s3 Exporters, not rabbitmq"}}));
}

TEST(Alerts, SeverityLabelsAndRunbook) {
  const std::string reserved = " is set by pulse or Prometheus; use severity for the severity";
  EXPECT_EQ(
      Errors(Monitor("{errorRatio: {severity: 'very bad', labels: {severity: x, job: y, "
                     "'a-b': z, __x: w}, runbookURL: 'ftp://x'}}")),
      Expected(
          "ApiMonitor team/m",
          {{"errorRatio.severity",
            std::string("\"very bad\" is not a severity (1 to 32 letters, digits, '_' or ") +
                "'-', starting with a letter, e.g. warning)"},
           {"errorRatio.labels.__x", "label names starting with __ are reserved for Prometheus"},
           {"errorRatio.labels.a-b",
            "\"a-b\" is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)"},
           {"errorRatio.labels.job", "\"job\"" + reserved},
           {"errorRatio.labels.severity", "\"severity\"" + reserved},
           {"errorRatio.runbookURL",
            std::string("\"ftp://x\" is not an http(s) URL (at most 2048 bytes, no ") +
                "spaces, quotes or braces)"}}));
}

TEST(Alerts, ResolutionIsBuiltInThenClusterThenObject) {
  const AlertDefinition& def = *FindAlert(AlertScope::kApiMonitor, "errorRatio");
  const EffectiveAlert builtin = ResolveAlert(def, nullptr, nullptr);
  EXPECT_TRUE(builtin.enabled);
  EXPECT_EQ(builtin.threshold, 0.05);
  EXPECT_EQ(builtin.for_.text, "10m");
  EXPECT_EQ(builtin.severity, "warning");

  AlertOverrides cluster;
  cluster["errorRatio"].threshold = 0.1;
  cluster["errorRatio"].severity = "critical";
  cluster["errorRatio"].labels = {{"team", "sre"}, {"tier", "1"}};
  AlertOverrides object;
  object["errorRatio"].threshold = 0.2;
  object["errorRatio"].labels = {{"team", "pay"}};
  const EffectiveAlert e = ResolveAlert(def, &cluster, &object);
  EXPECT_EQ(e.threshold, 0.2);
  EXPECT_EQ(e.severity, "critical");
  EXPECT_EQ(e.for_.text, "10m");
  EXPECT_EQ(e.labels, (std::map<std::string, std::string>{{"team", "pay"}, {"tier", "1"}}));

  AlertOverrides off;
  off["errorRatio"].enabled = false;
  EXPECT_FALSE(ResolveAlert(def, &off, nullptr).enabled);
  EXPECT_FALSE(ResolveAlert(def, &off, &object).enabled) << "a block without enabled inherits";
  AlertOverrides on;
  on["errorRatio"].enabled = true;
  EXPECT_TRUE(ResolveAlert(def, &off, &on).enabled) << "an object may re-enable it";
}

TEST(Alerts, EveryCatalogueEntryHasValidDefaults) {
  for (const AlertDefinition& d : AlertCatalogue()) {
    EXPECT_FALSE(d.key.empty());
    EXPECT_TRUE(ParseDuration(d.for_).ok()) << d.key;
    if (!d.window.empty()) {
      EXPECT_TRUE(ParseDuration(d.window).ok()) << d.key;
    }
    EXPECT_FALSE(d.severity.empty()) << d.key;
    EXPECT_EQ(FindAlert(d.scope, d.key), &d);
  }
}

TEST(AlertDefaults, ParsesBothScopes) {
  const AlertDefaultsResult r = ParseAlertDefaults(
      "apiMonitor:\n  errorRatio: {threshold: 0.02}\nexporter:\n  inFlightBacklog: {threshold: "
      "500, severity: critical}\n",
      "defaults.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  EXPECT_EQ(r.defaults.api_monitor.at("errorRatio").threshold, 0.02);
  EXPECT_EQ(r.defaults.exporter.at("inFlightBacklog").severity, "critical");
}

TEST(AlertDefaults, ErrorsNameTheFileAndFieldPath) {
  std::vector<std::string> errors;
  for (const Error& e : ParseAlertDefaults("apiMonitor:\n  errorRatio: {threshold: 2}\nexporters: "
                                           "{}\n",
                                           "defaults.yaml")
                            .errors) {
    errors.push_back(e.ToString());
  }
  EXPECT_EQ(errors, (std::vector<std::string>{"defaults.yaml: exporters: unknown field"}))
      << "shape errors first; ranges are checked once the shape is right";
  errors.clear();
  const AlertDefaultsResult r =
      ParseAlertDefaults("apiMonitor:\n  errorRatio: {threshold: 2}\n", "defaults.yaml");
  for (const Error& e : r.errors) errors.push_back(e.ToString());
  EXPECT_EQ(errors, (std::vector<std::string>{"defaults.yaml: apiMonitor.errorRatio.threshold: 2 "
                                              "is out of range (0, 1]"}));
  EXPECT_TRUE(r.defaults.api_monitor.empty()) << "nothing is applied from an invalid file";
  EXPECT_FALSE(ParseAlertDefaults("a: [", "d.yaml").errors.empty());
  EXPECT_FALSE(ParseAlertDefaults("apiMonitor: {}\n---\nexporter: {}\n", "d.yaml").errors.empty());
  EXPECT_TRUE(ParseAlertDefaults("", "d.yaml").errors.empty()) << "an empty file sets nothing";
}

}  // namespace
}  // namespace pulse::model
