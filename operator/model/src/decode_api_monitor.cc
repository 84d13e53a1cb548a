#include <limits>

#include "decode.h"

namespace pulse::model::internal {
namespace {

void ReadLabelSelector(ObjectReader& parent, std::string_view key,
                       std::optional<LabelSelector>& out) {
  const json* v = parent.Field(key);
  if (v == nullptr) return;
  LabelSelector sel;
  ObjectReader r(parent.sink(), *v, parent.Child(key));
  r.StringMap("matchLabels", sel.match_labels);
  ForEach(r, "matchExpressions", [&](const json& item, const std::string& path) {
    LabelSelectorRequirement req;
    ObjectReader e(r.sink(), item, path);
    e.String("key", req.key, true);
    e.String("operator", req.op, true);
    e.StringList("values", req.values);
    e.Finish();
    sel.match_expressions.push_back(std::move(req));
  });
  r.Finish();
  out = std::move(sel);
}

void ReadEndpoint(ErrorSink& sink, const json& item, const std::string& path, Endpoint& ep) {
  static const std::vector<std::pair<std::string, Scheme>> kSchemes = {{"http", Scheme::kHttp},
                                                                       {"https", Scheme::kHttps}};
  ObjectReader r(sink, item, path);
  r.String("port", ep.port);
  r.String("path", ep.path);
  r.Enum("scheme", kSchemes, ep.scheme);
  r.Dur("interval", ep.interval);
  r.Dur("scrapeTimeout", ep.scrape_timeout);
  r.Bool("honorLabels", ep.honor_labels);
  ReadRelabelConfigs(r, "relabelings", ep.relabelings);
  ReadRelabelConfigs(r, "metricRelabelings", ep.metric_relabelings);
  ReadTls(r, "tlsConfig", ep.tls);
  ReadBasicAuth(r, "basicAuth", ep.basic_auth);
  ReadOptionalSecretKeySelector(r, "bearerTokenSecret", ep.bearer_token_secret);
  r.Finish();
}

void ReadRed(ObjectReader& parent, RedSpec& red) {
  const json* v = parent.Field("red");
  if (v == nullptr) return;
  ObjectReader r(parent.sink(), *v, parent.Child("red"));
  r.String("serviceName", red.service_name);
  r.String("histogramMetric", red.histogram_metric);
  r.String("methodLabel", red.method_label);
  r.String("routeLabel", red.route_label);
  r.String("statusLabel", red.status_label);
  r.String("perUserMetric", red.per_user_metric);
  r.String("userLabel", red.user_label);
  if (const json* s = r.Field("slo")) {
    RedSlo slo;
    ObjectReader sr(r.sink(), *s, r.Child("slo"));
    sr.Number("availabilityObjective", slo.availability_objective);
    sr.Dur("latencyThreshold", slo.latency_threshold);
    sr.Number("latencyObjective", slo.latency_objective);
    sr.Dur("window", slo.window);
    sr.Finish();
    red.slo = std::move(slo);
  }
  r.Bool("dashboard", red.dashboard);
  r.Bool("alerts", red.alerts);
  r.Finish();
}

}  // namespace

std::optional<ApiMonitor> DecodeApiMonitor(const json& object, const Source& source,
                                           std::vector<Error>& errors) {
  ErrorSink sink(ObjectPrototype(object, source, kApiMonitorKind));
  ApiMonitor m;
  m.source = source;
  ObjectReader top(sink, object, "");
  top.Field("apiVersion");
  top.Field("kind");
  top.Field("status");  // written by the operator; not input
  ReadObjectMeta(top, m.metadata);
  if (const json* spec = top.Field("spec", true)) {
    ApiMonitorSpec& s = m.spec;
    ObjectReader r(sink, *spec, "spec");
    ReadLabelSelector(r, "selector", s.selector);
    if (const json* ns = r.Field("namespaceSelector")) {
      ObjectReader nr(sink, *ns, r.Child("namespaceSelector"));
      nr.Bool("any", s.namespace_selector.any);
      nr.StringList("matchNames", s.namespace_selector.match_names);
      nr.Finish();
    }
    r.Field("endpoints", true);
    ForEach(r, "endpoints", [&](const json& item, const std::string& path) {
      Endpoint ep;
      ReadEndpoint(sink, item, path, ep);
      s.endpoints.push_back(std::move(ep));
    });
    r.String("jobLabel", s.job_label);
    r.StringList("targetLabels", s.target_labels);
    std::int64_t limit = 0;
    r.Int("sampleLimit", 0, std::numeric_limits<std::int64_t>::max(), limit);
    s.sample_limit = static_cast<std::uint64_t>(limit);
    ForEach(r, "staticTargets", [&](const json& item, const std::string& path) {
      StaticTargetGroup group;
      ObjectReader gr(sink, item, path);
      gr.Field("targets", true);
      gr.StringList("targets", group.targets);
      gr.StringMap("labels", group.labels);
      gr.Finish();
      s.static_targets.push_back(std::move(group));
    });
    ReadRed(r, s.red);
    if (const json* d = r.Field("dashboard")) {
      ObjectReader dr(sink, *d, r.Child("dashboard"));
      dr.Bool("perMonitor", s.dashboard.per_monitor);
      dr.Finish();
    }
    ReadAlertOverrides(r, "alerts", AlertScope::kApiMonitor, s.alerts);
    r.Finish();
  }
  top.Finish();
  if (m.spec.red.service_name.empty()) m.spec.red.service_name = m.metadata.name;
  if (!sink.empty()) {
    for (Error& e : sink.errors()) errors.push_back(std::move(e));
    return std::nullopt;
  }
  return m;
}

}  // namespace pulse::model::internal
