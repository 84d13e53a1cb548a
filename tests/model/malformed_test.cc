// A table of malformed and hostile inputs. Each must give its specific message -- never a
// crash, never a silent acceptance.
#include <gtest/gtest.h>

#include "pulse/model/parse.h"
#include "pulse/model/validate.h"

namespace pulse::model {
namespace {

// A valid ApiMonitor whose endpoint (and optionally extra spec lines) a case replaces.
std::string Monitor(const std::string& endpoint, const std::string& extra_spec = "",
                    const std::string& name = "shop") {
  return "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: " + name +
         "}\nspec:\n  selector: {matchLabels: {app: shop}}\n  endpoints:\n  - " + endpoint + "\n" +
         extra_spec;
}

std::string Exporter(const std::string& spec) {
  return "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: Exporter\nmetadata: {name: "
         "db}\nspec:\n" +
         spec;
}

const std::string kPgCreds =
    "    credentials: {username: {name: s, key: u}, password: {name: s, key: p}}\n";

struct Case {
  const char* name;
  std::string input;
  std::string expected;  // the whole list of messages, joined by "\n"
  bool json = false;
};

std::vector<Case> Cases() {
  const std::string F = "f.yaml: ";
  const std::string M = "f.yaml: ApiMonitor default/shop: ";
  const std::string X = "f.yaml: Exporter default/db: ";
  return {
      {"yaml_syntax", "apiVersion: [unclosed\n",
       F + "document 1: yaml: line 2, column 1: end of sequence flow not found"},
      {"yaml_bad_indent", "a:\n  b: 1\n c: 2\n",
       F + "document 1: yaml: line 3, column 2: end of map not found"},
      {"yaml_duplicate_key", Monitor("{port: http, port: web}"),
       F + "document 1: yaml: line 7, column 18: duplicate key \"port\""},
      {"yaml_tab_soup", "\t\t:\n", F + "document 1: yaml: line 1, column 3: illegal map value"},
      {"not_a_map", "- just\n- a list\n",
       F + "document 1: expected a Kubernetes object (a map), got list"},
      {"scalar_document", "hello\n",
       F + "document 1: expected a Kubernetes object (a map), got string \"hello\""},
      {"missing_kind", "apiVersion: v1\nmetadata: {name: x}\n",
       F + "document 1: apiVersion and kind must be set to non-empty strings"},
      {"wrong_version",
       "apiVersion: monitoring.pulse.dev/v1\nkind: ApiMonitor\nmetadata: {name: shop}\n",
       M + "apiVersion: unsupported kind monitoring.pulse.dev/v1 ApiMonitor (pulse reads "
           "monitoring.pulse.dev/v1alpha1 ApiMonitor and Exporter)"},
      {"unknown_pulse_kind",
       "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: Dashboard\nmetadata: {name: d}\n",
       "f.yaml: Dashboard default/d: apiVersion: unsupported kind monitoring.pulse.dev/v1alpha1 "
       "Dashboard (pulse reads monitoring.pulse.dev/v1alpha1 ApiMonitor and Exporter)"},
      {"missing_spec",
       "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: shop}\n",
       M + "spec: required field is missing"},
      {"missing_name",
       "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: Exporter\nmetadata: {}\nspec: {type: "
       "s3}\n",
       "f.yaml: Exporter: metadata.name: required field is missing"},
      {"unknown_top_field", Monitor("{port: http}") + "extra: 1\n", M + "extra: unknown field"},
      {"unknown_spec_field", Monitor("{port: http}", "  selectr: {}\n"),
       M + "spec.selectr: unknown field"},
      {"unknown_endpoint_field", Monitor("{port: http, intervall: 15s}"),
       M + "spec.endpoints[0].intervall: unknown field"},
      {"wrong_type_bool", Monitor("{port: http, honorLabels: yes}"),
       M + "spec.endpoints[0].honorLabels: expected boolean, got string \"yes\""},
      {"wrong_type_int_port_name", Monitor("{port: 8080}"),
       M + "spec.endpoints[0].port: expected string, got integer 8080"},
      {"wrong_type_endpoints_map",
       Monitor("{port: http}")
           .replace(Monitor("{port: http}").find("  endpoints:\n  - {port: http}"), 29,
                    "  endpoints: {port: http}"),
       M + "spec.endpoints: expected a list, got map"},
      {"wrong_type_sample_limit", Monitor("{port: http}", "  sampleLimit: lots\n"),
       M + "spec.sampleLimit: expected integer, got string \"lots\""},
      {"bad_duration_unit", Monitor("{port: http, interval: 15sec}"),
       M + "spec.endpoints[0].interval: invalid duration \"15sec\": want a number followed by a "
           "unit (y, w, d, h, m, s, ms) where \"ec\" is"},
      {"bad_duration_number", Monitor("{port: http, interval: 15}"),
       M + "spec.endpoints[0].interval: expected duration string such as \"30s\", got integer 15"},
      {"bad_duration_order", Monitor("{port: http, interval: 30s1m}"),
       M + "spec.endpoints[0].interval: invalid duration \"30s1m\": units must appear once each, "
           "largest first (y w d h m s ms)"},
      {"timeout_exceeds_interval", Monitor("{port: http, interval: 15s, scrapeTimeout: 30s}"),
       M + "spec.endpoints[0].scrapeTimeout: 30s exceeds interval 15s"},
      {"interval_too_long", Monitor("{port: http, interval: 2d}"),
       M + "spec.endpoints[0].interval: 2d is out of range [1s, 1d]"},
      {"bad_regex",
       Monitor("{port: http, metricRelabelings: [{sourceLabels: [__name__], regex: 'go_(.*', "
               "action: drop}]}"),
       M + "spec.endpoints[0].metricRelabelings[0].regex: \"go_(.*\" is not a valid RE2 regular "
           "expression: missing ): go_(.*"},
      {"perl_only_regex",
       Monitor("{port: http, relabelings: [{sourceLabels: [a], regex: '(?=x)', action: keep}]}"),
       M + "spec.endpoints[0].relabelings[0].regex: \"(?=x)\" is not a valid RE2 regular "
           "expression: invalid perl operator: (?="},
      {"bad_relabel_action", Monitor("{port: http, relabelings: [{action: Replace}]}"),
       M + "spec.endpoints[0].relabelings[0].action: unsupported value \"Replace\" (want one of: "
           "replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, "
           "lowercase, uppercase)"},
      {"hashmod_without_modulus",
       Monitor("{port: http, relabelings: [{sourceLabels: [a], targetLabel: t, action: hashmod}]}"),
       M + "spec.endpoints[0].relabelings[0].modulus: must be greater than 0 for action hashmod"},
      {"labeldrop_with_extra",
       Monitor(
           "{port: http, relabelings: [{sourceLabels: [a], regex: tmp_.*, action: labeldrop}]}"),
       M + "spec.endpoints[0].relabelings[0]: action labeldrop takes only regex"},
      {"bad_target_label",
       Monitor("{port: http, relabelings: [{sourceLabels: [a], targetLabel: 1bad, action: "
               "lowercase}]}"),
       M + "spec.endpoints[0].relabelings[0].targetLabel: \"1bad\" is not a valid Prometheus label "
           "name ([a-zA-Z_][a-zA-Z0-9_]*)"},
      {"bad_label_name_red", Monitor("{port: http}", "  red: {statusLabel: http.status}\n"),
       M + "spec.red.statusLabel: \"http.status\" is not a valid Prometheus label name "
           "([a-zA-Z_][a-zA-Z0-9_]*)"},
      {"bad_metric_name", Monitor("{port: http}", "  red: {histogramMetric: 'http-duration'}\n"),
       M + "spec.red.histogramMetric: \"http-duration\" is not a valid Prometheus metric name "
           "([a-zA-Z_:][a-zA-Z0-9_:]*)"},
      {"histogram_with_suffix",
       Monitor("{port: http}", "  red: {histogramMetric: http_request_duration_seconds_bucket}\n"),
       M + "spec.red.histogramMetric: give the histogram's base name, without the _bucket suffix"},
      {"slo_objective_100", Monitor("{port: http}", "  red: {slo: {availabilityObjective: 100}}\n"),
       M + "spec.red.slo.availabilityObjective: 100.0 is not a percentage in the open range (0, "
           "100), e.g. 99.9"},
      {"slo_objective_fraction_zero",
       Monitor("{port: http}", "  red: {slo: {availabilityObjective: 0}}\n"),
       M + "spec.red.slo.availabilityObjective: 0.0 is not a percentage in the open range (0, "
           "100), e.g. 99.9"},
      {"slo_latency_half", Monitor("{port: http}", "  red: {slo: {latencyThreshold: 300ms}}\n"),
       M + "spec.red.slo: latencyThreshold and latencyObjective must be set together"},
      {"missing_secret_key", Monitor("{port: http, bearerTokenSecret: {name: tok}}"),
       M + "spec.endpoints[0].bearerTokenSecret.key: required field is missing"},
      {"empty_secret_key", Monitor("{port: http, bearerTokenSecret: {name: tok, key: ''}}"),
       M + "spec.endpoints[0].bearerTokenSecret.key: must not be empty (the key within the "
           "Secret)"},
      {"basic_auth_and_bearer",
       Monitor("{port: http, bearerTokenSecret: {name: t, key: k}, basicAuth: {username: {name: a, "
               "key: u}, password: {name: a, key: p}}}"),
       M + "spec.endpoints[0]: basicAuth and bearerTokenSecret are mutually exclusive"},
      {"huge_sample_limit", Monitor("{port: http}", "  sampleLimit: 99999999999999999999999\n"),
       M + "spec.sampleLimit: 9.999999999999999e+22 is out of range [0, 9223372036854775807]"},
      {"sample_limit_over_bound", Monitor("{port: http}", "  sampleLimit: 1000000000\n"),
       M + "spec.sampleLimit: 1000000000 is out of range [0, 100000000]"},
      {"negative_sample_limit", Monitor("{port: http}", "  sampleLimit: -1\n"),
       M + "spec.sampleLimit: -1 is out of range [0, 9223372036854775807]"},
      {"huge_duration", Monitor("{port: http, interval: 999999999999h}"),
       M + "spec.endpoints[0].interval: duration \"999999999999h\" is out of range (at most about "
           "292 years)"},
      {"unicode_name", Monitor("{port: http}", "", "shöp"),
       "f.yaml: ApiMonitor default/shöp: metadata.name: \"shöp\" is not a valid name: lower-case "
       "letters, digits and '-', starting and ending with a letter or digit, at most 63 "
       "characters"},
      {"uppercase_name", Monitor("{port: http}", "", "Shop"),
       "f.yaml: ApiMonitor default/Shop: metadata.name: \"Shop\" is not a valid name: lower-case "
       "letters, digits and '-', starting and ending with a letter or digit, at most 63 "
       "characters"},
      {"invalid_utf8", Monitor("{port: \"h\xff\"}"),
       F + "document 1: yaml: line 7, column 12: invalid UTF-8 in a scalar"},
      {"control_chars_in_path", Monitor("{port: http, path: \"/met\\nrics\"}"),
       M + "spec.endpoints[0].path: \"/met\\nrics\" must be an absolute URL path such as /metrics "
           "(no spaces, query or fragment)"},
      {"selector_and_static",
       Monitor("{path: /metrics}", "  staticTargets: [{targets: ['h:80']}]\n"),
       M + "spec: selector and staticTargets are mutually exclusive"},
      {"static_target_with_scheme",
       "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: "
       "shop}\nspec:\n  staticTargets: [{targets: ['http://mes:8080']}]\n  endpoints: [{}]\n",
       M + "spec.staticTargets[0].targets[0]: \"http://mes:8080\" is not host:port (no scheme or "
           "path; the endpoint sets those)"},
      {"port_missing_with_selector", Monitor("{path: /metrics}"),
       M + "spec.endpoints[0].port: required with a selector (the name of a Service port)"},
      {"no_endpoints",
       Monitor("{port: http}").substr(0, Monitor("{port: http}").find("  endpoints:")) +
           "  endpoints: []\n",
       M + "spec.endpoints: at least one endpoint is required"},
      {"empty_documents", "---\n---\n# only a comment\n",
       "note: f.yaml: document 1: empty document skipped\nnote: f.yaml: document 2: empty document "
       "skipped"},
      {"duplicate_job_names", Monitor("{port: http}") + "---\n" + Monitor("{port: web}"),
       M +
           "spec.endpoints[0]: scrape job \"apimonitor/default/shop/0\" is also rendered by "
           "ApiMonitor default/shop in "
           "f.yaml (duplicate object?)\n" +
           M +
           "spec.endpoints[0]: scrape job \"apimonitor/default/shop/0\" is also rendered by "
           "ApiMonitor default/shop in "
           "f.yaml (duplicate object?)"},
      {"other_kind_skipped",
       "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n",
       "note: f.yaml: document 1: skipped apps/v1 Deployment shop/web (not a pulse kind)"},
      {"deep_nesting", std::string(200, '[') + std::string(200, ']'),
       F + "document 1: yaml: line 1, column 65: nesting deeper than 64 levels"},
      {"alias_bomb",
       "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c "
       "[*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f "
       "[*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
       "g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
       F + "document 1: yaml: line 6, column 29: document has more than 1000000 nodes (after "
           "expanding aliases)"},
      {"exporter_missing_type", Exporter("  postgresql: {host: db, databases: [a]}\n"),
       X + "spec.type: required field is missing\n" + X +
           "spec.postgresql.credentials: required field is missing"},
      {"exporter_bad_type", Exporter("  type: mysql\n"),
       X + "spec.type: unsupported value \"mysql\" (want one of: rabbitmq, postgresql, s3)"},
      {"exporter_port_range",
       Exporter("  type: postgresql\n  postgresql:\n    host: db\n    port: 70000\n    databases: "
                "[a]\n" +
                kPgCreds),
       X + "spec.postgresql.port: 70000 is out of range [1, 65535]"},
      {"exporter_duplicate_db",
       Exporter("  type: postgresql\n  postgresql:\n    host: db\n    databases: [a, a]\n" +
                kPgCreds),
       X + "spec.postgresql.databases[1]: \"a\" is listed twice"},
      {"exporter_bad_dlq_regex",
       Exporter("  type: rabbitmq\n  rabbitmq:\n    url: http://r:15672\n    deadLetterQueueRegex: "
                "'*.dlq'\n" +
                kPgCreds),
       X + "spec.rabbitmq.deadLetterQueueRegex: \"*.dlq\" is not a valid RE2 regular expression: "
           "no argument for repetition operator: *"},
      {"exporter_bad_url",
       Exporter("  type: rabbitmq\n  rabbitmq:\n    url: rabbitmq:15672\n" + kPgCreds),
       X + "spec.rabbitmq.url: \"rabbitmq:15672\" must be an http:// or https:// URL with a host"},
      {"exporter_bad_bucket",
       Exporter("  type: s3\n  s3:\n    buckets: [{name: My_Bucket}]\n    credentials: "
                "{accessKeyId: {name: s, key: a}, secretAccessKey: {name: s, key: b}}\n"),
       X + "spec.s3.buckets[0].name: \"My_Bucket\" is not a valid bucket name (3-63 lower-case "
           "letters, digits, '.', '-')"},
      {"exporter_bad_quantity",
       Exporter("  type: postgresql\n  postgresql:\n    host: db\n    databases: [a]\n" + kPgCreds +
                "  resources: {limits: {memory: lots}}\n"),
       X + "spec.resources.limits.memory: \"lots\" is not a valid quantity"},
      {"exporter_timeout_over_interval",
       Exporter("  type: postgresql\n  interval: 10s\n  scrapeTimeout: 11s\n  postgresql:\n    "
                "host: db\n    databases: [a]\n" +
                kPgCreds),
       X + "spec.scrapeTimeout: 11s exceeds interval 10s"},
      {"exporter_name_too_long",
       "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: Exporter\nmetadata: {name: " +
           std::string(49, 'a') +
           "}\nspec:\n  type: postgresql\n  postgresql:\n    host: db\n    databases: [a]\n" +
           kPgCreds,
       "f.yaml: Exporter default/" + std::string(49, 'a') + ": metadata.name: \"" +
           std::string(49, 'a') +
           "\" is not a valid name: lower-case letters, digits and '-', starting and ending with a "
           "letter or digit, at most 48 characters"},
      {"json_syntax", "{\"apiVersion\": ",
       "f.json: document 1: json: syntax error at byte 16: [json.exception.parse_error.101] parse "
       "error at line 1, column 16: syntax error while parsing value - unexpected end of input; "
       "expected '[', '{', or a literal",
       true},
      {"json_number_overflow", "{\"kind\": 1e999}",
       "f.json: document 1: json: [json.exception.out_of_range.406] number overflow parsing "
       "'1e999'",
       true},
      {"json_deep", std::string(100, '[') + std::string(100, ']'),
       "f.json: document 1: json: nesting deeper than 64 levels", true},
      {"json_invalid_utf8", "{\"kind\": \"\xc3\x28\"}",
       "f.json: document 1: json: syntax error at byte 12: [json.exception.parse_error.101] parse "
       "error at line 1, column 12: syntax error while parsing value - invalid string: ill-formed "
       "UTF-8 byte; last read: '\"\\xC3('",
       true},
  };
}

std::string Messages(const Case& c) {
  ParseResult parsed = c.json ? ParseJson(c.input, "f.json") : ParseYaml(c.input, "f.yaml");
  CheckedObjects checked = ValidateParsed(parsed);
  std::string out;
  for (const Error& e : checked.errors) out += (out.empty() ? "" : "\n") + e.ToString();
  for (const std::string& note : checked.notes) out += (out.empty() ? "note: " : "\nnote: ") + note;
  return out;
}

TEST(Malformed, EachInputGivesItsSpecificMessage) {
  const std::vector<Case> cases = Cases();
  EXPECT_GE(cases.size(), 30u);
  for (const Case& c : cases) {
    EXPECT_EQ(Messages(c), c.expected) << "case " << c.name;
  }
}

TEST(Malformed, NoInvalidObjectSurvivesAsValid) {
  for (const Case& c : Cases()) {
    if (c.expected.rfind("note: ", 0) == 0) continue;  // nothing invalid in it
    ParseResult parsed = c.json ? ParseJson(c.input, "f.json") : ParseYaml(c.input, "f.yaml");
    CheckedObjects checked = ValidateParsed(parsed);
    EXPECT_TRUE(checked.valid.api_monitors.empty() && checked.valid.exporters.empty())
        << "case " << c.name;
  }
}

TEST(Malformed, OversizedInputIsRefusedWhole) {
  const std::string big(kMaxInputBytes + 1, '#');
  ParseResult r = ParseYaml(big, "big.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString(),
            "big.yaml: input is 8388609 bytes, more than the limit of 8388608 bytes");
}

TEST(Malformed, LongValuesAreCutInMessages) {
  const std::string long_port(5000, 'p');
  ParseResult r = ParseYaml(Monitor("{port: " + long_port + "}"), "f.yaml");
  CheckedObjects checked = ValidateParsed(r);
  ASSERT_EQ(checked.errors.size(), 1u);
  EXPECT_LT(checked.errors[0].ToString().size(), 400u);
  EXPECT_NE(checked.errors[0].ToString().find("...\" is not a valid Service port name"),
            std::string::npos)
      << checked.errors[0].ToString();
}

}  // namespace
}  // namespace pulse::model
