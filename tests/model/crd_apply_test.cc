// The CRDs and example CRs against a real kube-apiserver (CTest fixture "kube"): the CRDs are
// accepted (structural, CEL rules compile for this Kubernetes), the examples pass strict
// server-side validation, the objects the server returns (defaults applied, managedFields and
// all) parse and validate in the C++ model, and the schema's CEL rules reject what they should.
#include <gtest/gtest.h>
#include <unistd.h>

#include "pulse/model/parse.h"
#include "pulse/model/validate.h"
#include "pulse/testenv/testenv.h"

namespace pulse::model {
namespace {

// Per process, so a rerun against the same server never meets a namespace still terminating.
const std::string kNamespace = "pulse-model-test-" + std::to_string(::getpid());

class CrdApplyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kubectl_ = "KUBECONFIG='" + testenv::Get("kube", "KUBECONFIG") + "' kubectl ";
    std::string out;
    ASSERT_EQ(testenv::Shell(kubectl_ + "apply -f '" + testenv::SourceDir() + "/crds/'", &out), 0)
        << out;
    ASSERT_EQ(
        testenv::Shell(
            kubectl_ + "wait --for=condition=Established --timeout=60s "
                       "crd/apimonitors.monitoring.pulse.dev crd/exporters.monitoring.pulse.dev",
            &out),
        0)
        << out;
    testenv::Shell(kubectl_ + "create namespace " + kNamespace, &out);
  }
  static void TearDownTestSuite() {
    std::string out;
    testenv::Shell(kubectl_ + "delete namespace " + kNamespace + " --wait=false", &out);
  }
  // Applies YAML from stdin; returns the exit code and kubectl's output.
  static int Apply(const std::string& yaml, std::string* out) {
    const std::string file = testenv::StateDir() + "/pulse-model-apply.yaml";
    FILE* f = std::fopen(file.c_str(), "w");
    if (f == nullptr) return -1;
    std::fwrite(yaml.data(), 1, yaml.size(), f);
    std::fclose(f);
    return testenv::Shell(
        kubectl_ + "apply --validate=strict -n " + kNamespace + " -f '" + file + "'", out);
  }
  static std::string kubectl_;
};
std::string CrdApplyTest::kubectl_;

TEST_F(CrdApplyTest, ExamplesAreAcceptedAndTheServersObjectsValidate) {
  std::string out;
  // Every example file, moved into the test's namespace, as one multi-document stream.
  ASSERT_EQ(testenv::Shell(
                "for f in '" + testenv::SourceDir() + "/examples/crs/'*.yaml; do echo ---; " +
                    "sed 's/namespace: default/namespace: " + kNamespace + "/' \"$f\"; done > '" +
                    testenv::StateDir() + "/pulse-model-examples.yaml'",
                &out),
            0)
      << out;
  ASSERT_EQ(testenv::Shell(kubectl_ + "apply --validate=strict -f '" + testenv::StateDir() +
                               "/pulse-model-examples.yaml'",
                           &out),
            0)
      << out;

  std::string json;
  ASSERT_EQ(
      testenv::Shell(kubectl_ + "get apimonitors,exporters,secrets -n " + kNamespace + " -o json",
                     &json, false),
      0);
  ParseResult parsed = ParseJson(json);
  for (const Error& e : parsed.errors) ADD_FAILURE() << e.ToString();
  ASSERT_EQ(parsed.objects.api_monitors.size(), 3u);
  ASSERT_EQ(parsed.objects.exporters.size(), 4u);
  ValidationResult v = Validate(parsed.objects, {.require_secrets = true});
  for (const Error& e : v.AllErrors()) ADD_FAILURE() << e.ToString();
  // The server filled in the schema defaults; the model reads the same values.
  for (const ApiMonitor& m : parsed.objects.api_monitors) {
    EXPECT_FALSE(m.metadata.uid.empty());
    EXPECT_EQ(m.metadata.generation, 1);
    EXPECT_EQ(m.metadata.namespace_, kNamespace);
    EXPECT_EQ(m.spec.endpoints.at(0).path, "/metrics");
  }
  EXPECT_EQ(parsed.objects.api_monitors[0].metadata.name, "crm");
  EXPECT_EQ(parsed.objects.api_monitors[0].spec.red.per_user_metric, "http_requests_by_user_total");
}

// Every field of an alert block is accepted by the real API server (types, patterns, bounds).
TEST_F(CrdApplyTest, AlertBlocksAreAccepted) {
  std::string out;
  EXPECT_EQ(Apply("apiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: "
                  "alerting}\nspec:\n  selector: {}\n  endpoints: [{port: http}]\n  alerts:\n"
                  "    errorRatio: {enabled: true, threshold: 0.02, for: 2m, severity: critical, "
                  "labels: {team: pay}, runbookURL: 'https://runbooks.example/a?b=c#d'}\n"
                  "    targetAbsent: {window: 15m, for: 0s}\n    targetDown: {enabled: false}\n",
                  &out),
            0)
      << out;
  EXPECT_EQ(Apply("apiVersion: monitoring.pulse.dev/v1alpha1\nkind: Exporter\nmetadata: {name: "
                  "alerting}\nspec:\n  type: rabbitmq\n  rabbitmq: {url: 'http://r:15672', "
                  "credentials: {username: {name: a, key: u}, password: {name: a, key: p}}}\n"
                  "  alerts:\n    inFlightBacklog: {threshold: 500}\n"
                  "    deadLetterGrowth: {threshold: 0, window: 30m}\n",
                  &out),
            0)
      << out;
}

TEST_F(CrdApplyTest, SchemaRejectsWhatItCanExpress) {
  struct Case {
    const char* name;
    std::string yaml;
    const char* message;
  };
  const std::string monitor =
      "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: bad}\nspec:\n";
  const std::string exporter =
      "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: Exporter\nmetadata: {name: bad}\nspec:\n";
  const std::vector<Case> cases = {
      {"selector_and_static",
       monitor + "  selector: {}\n  staticTargets: [{targets: ['a:1']}]\n  endpoints: [{}]\n",
       "exactly one of selector and staticTargets must be set"},
      {"port_with_static",
       monitor + "  staticTargets: [{targets: ['a:1']}]\n  endpoints: [{port: http}]\n",
       "endpoints must not set port with staticTargets"},
      {"no_port_with_selector", monitor + "  selector: {}\n  endpoints: [{path: /m}]\n",
       "every endpoint needs a port with a selector"},
      {"bad_duration", monitor + "  selector: {}\n  endpoints: [{port: http, interval: 15sec}]\n",
       "spec.endpoints[0].interval in body should match"},
      {"unknown_field", monitor + "  selector: {}\n  endpoints: [{port: http, intervall: 15s}]\n",
       "unknown field \"spec.endpoints[0].intervall\""},
      {"objective_100",
       monitor + "  selector: {}\n  endpoints: [{port: http}]\n  red: {slo: "
                 "{availabilityObjective: 100}}\n",
       "should be less than 100"},
      {"hashmod_modulus",
       monitor + "  selector: {}\n  endpoints: [{port: http, relabelings: [{targetLabel: t, "
                 "action: hashmod}]}]\n",
       "modulus must be greater than 0 for action hashmod"},
      {"auth_both",
       monitor + "  selector: {}\n  endpoints: [{port: http, bearerTokenSecret: {name: a, key: b}, "
                 "basicAuth: {username: {name: a, key: u}, password: {name: a, key: p}}}]\n",
       "basicAuth and bearerTokenSecret are mutually exclusive"},
      {"secret_without_key",
       monitor + "  selector: {}\n  endpoints: [{port: http, bearerTokenSecret: {name: a}}]\n",
       "spec.endpoints[0].bearerTokenSecret.key: Required value"},
      {"exporter_block_mismatch",
       exporter + "  type: s3\n  postgresql: {host: h, databases: [d], credentials: "
                  "{username: {name: a, key: u}, password: {name: a, key: p}}}\n",
       "s3 must be set exactly when type is s3"},
      {"exporter_bad_type", exporter + "  type: mysql\n", "Unsupported value: \"mysql\""},
      {"exporter_bad_quantity", exporter + "  type: s3\n  resources: {limits: {memory: lots}}\n",
       "spec.resources.limits.memory in body should match"},
      {"alert_threshold_range",
       monitor + "  selector: {}\n  endpoints: [{port: http}]\n  alerts: {errorRatio: {threshold: "
                 "1.5}}\n",
       "spec.alerts.errorRatio.threshold"},
      {"alert_bad_for",
       monitor + "  selector: {}\n  endpoints: [{port: http}]\n  alerts: {errorRatio: {for: 5 "
                 "minutes}}\n",
       "spec.alerts.errorRatio.for in body should match"},
      {"alert_unknown_key",
       monitor + "  selector: {}\n  endpoints: [{port: http}]\n  alerts: {bogus: {}}\n",
       "spec.alerts.bogus"},
      {"alert_for_other_type",
       exporter + "  type: s3\n  s3: {buckets: [{name: abc}], credentials: {accessKeyId: {name: "
                  "a, key: b}, secretAccessKey: {name: a, key: c}}}\n  alerts: {inFlightBacklog: "
                  "{threshold: 5}}\n",
       "alerts.inFlightBacklog applies only to rabbitmq Exporters"},
  };
  for (const Case& c : cases) {
    std::string out;
    EXPECT_NE(Apply(c.yaml, &out), 0) << c.name << ": accepted\n" << out;
    EXPECT_NE(out.find(c.message), std::string::npos) << c.name << ": " << out;
  }
}

}  // namespace
}  // namespace pulse::model
