// Semantic checks of one ApiMonitor (the rules are listed in docs/crds.md).
#include <iterator>
#include <set>

#include "checks.h"
#include "decode.h"
#include "pulse/model/validate.h"
#include "utf8.h"

namespace pulse::model {
namespace {

using internal::CheckDurationRange;
using internal::CheckLabelName;
using internal::CheckMaxItems;
using internal::CheckMaxLength;
using internal::ErrorSink;
using internal::Index;
using internal::Join;
using internal::Printable;
using internal::Quote;

constexpr std::uint64_t kMaxSampleLimit = 100'000'000;

void CheckSelector(ErrorSink& sink, const LabelSelector& sel) {
  for (const auto& [key, value] : sel.match_labels) {
    if (!internal::IsLabelKey(key)) {
      sink.Add(ErrorCode::kInvalidValue, "spec.selector.matchLabels", Printable(key),
               Quote(key) + " is not a valid Kubernetes label key");
    }
    if (!internal::IsLabelValue(value)) {
      sink.Add(ErrorCode::kInvalidValue, Join("spec.selector.matchLabels", Printable(key, 64)),
               Printable(value), Quote(value) + " is not a valid Kubernetes label value");
    }
  }
  for (std::size_t i = 0; i < sel.match_expressions.size(); ++i) {
    const LabelSelectorRequirement& req = sel.match_expressions[i];
    const std::string at = Index("spec.selector.matchExpressions", i);
    if (!internal::IsLabelKey(req.key)) {
      sink.Add(ErrorCode::kInvalidValue, Join(at, "key"), Printable(req.key),
               Quote(req.key) + " is not a valid Kubernetes label key");
    }
    if (req.op == "In" || req.op == "NotIn") {
      if (req.values.empty())
        sink.Add(ErrorCode::kMissingField, Join(at, "values"), "",
                 "required for operator " + req.op);
    } else if (req.op == "Exists" || req.op == "DoesNotExist") {
      if (!req.values.empty()) {
        sink.Add(ErrorCode::kConflict, Join(at, "values"), "",
                 "must be empty for operator " + req.op);
      }
    } else {
      sink.Add(
          ErrorCode::kInvalidValue, Join(at, "operator"), Printable(req.op),
          "unsupported value " + Quote(req.op) + " (want one of: In, NotIn, Exists, DoesNotExist)");
    }
    for (std::size_t k = 0; k < req.values.size(); ++k) {
      if (!internal::IsLabelValue(req.values[k])) {
        sink.Add(ErrorCode::kInvalidValue, Index(Join(at, "values"), k), Printable(req.values[k]),
                 Quote(req.values[k]) + " is not a valid Kubernetes label value");
      }
    }
  }
}

void CheckEndpoint(ErrorSink& sink, const std::string& at, const Endpoint& ep, bool static_mode,
                   const std::string& ns, const std::vector<Secret>& secrets,
                   const ValidateOptions& options) {
  if (static_mode && !ep.port.empty()) {
    sink.Add(ErrorCode::kConflict, Join(at, "port"), Printable(ep.port),
             "must not be set with staticTargets (the targets carry host:port)");
  } else if (!static_mode && ep.port.empty()) {
    sink.Add(ErrorCode::kMissingField, Join(at, "port"), "",
             "required with a selector (the name of a Service port)");
  } else if (!static_mode && !internal::IsDns1123Label(ep.port)) {
    sink.Add(ErrorCode::kInvalidValue, Join(at, "port"), Printable(ep.port),
             Quote(ep.port) + " is not a valid Service port name (a DNS-1123 label)");
  }
  if (ep.path.empty() || ep.path.front() != '/' ||
      ep.path.find_first_of(" \t\r\n?#") != std::string::npos) {
    sink.Add(ErrorCode::kInvalidValue, Join(at, "path"), Printable(ep.path),
             Quote(ep.path) +
                 " must be an absolute URL path such as /metrics (no spaces, query or fragment)");
  }
  CheckMaxLength(sink, Join(at, "path"), ep.path, 2048);
  internal::CheckScrapeTiming(sink, at, ep.interval, ep.scrape_timeout);
  internal::CheckRelabelConfigs(sink, Join(at, "relabelings"), ep.relabelings);
  internal::CheckRelabelConfigs(sink, Join(at, "metricRelabelings"), ep.metric_relabelings);
  if (ep.tls)
    internal::CheckTls(sink, Join(at, "tlsConfig"), *ep.tls, ns, secrets, options.require_secrets);
  if (ep.basic_auth) {
    internal::CheckSecretRef(sink, Join(at, "basicAuth.username"), ep.basic_auth->username, ns,
                             secrets, options.require_secrets);
    internal::CheckSecretRef(sink, Join(at, "basicAuth.password"), ep.basic_auth->password, ns,
                             secrets, options.require_secrets);
  }
  if (ep.bearer_token_secret) {
    internal::CheckSecretRef(sink, Join(at, "bearerTokenSecret"), *ep.bearer_token_secret, ns,
                             secrets, options.require_secrets);
  }
  if (ep.basic_auth && ep.bearer_token_secret) {
    sink.Add(ErrorCode::kConflict, at, "",
             "basicAuth and bearerTokenSecret are mutually exclusive");
  }
}

void CheckStaticTargets(ErrorSink& sink, const std::vector<StaticTargetGroup>& groups) {
  CheckMaxItems(sink, "spec.staticTargets", groups, 100);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::string at = Index("spec.staticTargets", i);
    const StaticTargetGroup& g = groups[i];
    if (g.targets.empty())
      sink.Add(ErrorCode::kMissingField, Join(at, "targets"), "",
               "at least one target is required");
    CheckMaxItems(sink, Join(at, "targets"), g.targets, 1000);
    std::set<std::string> seen;
    for (std::size_t k = 0; k < g.targets.size() && k < 1000; ++k) {
      const std::string& t = g.targets[k];
      if (!internal::IsHostPort(t)) {
        sink.Add(ErrorCode::kInvalidValue, Index(Join(at, "targets"), k), Printable(t),
                 Quote(t) + " is not host:port (no scheme or path; the endpoint sets those)");
      } else if (!seen.insert(t).second) {
        sink.Add(ErrorCode::kDuplicate, Index(Join(at, "targets"), k), Printable(t),
                 Quote(t) + " is listed twice");
      }
    }
    for (const auto& [name, value] : g.labels) {
      CheckLabelName(sink, Join(at, "labels"), name);
      if (name.starts_with("__")) {
        sink.Add(ErrorCode::kInvalidValue, Join(Join(at, "labels"), name), Printable(name),
                 "label names starting with __ are reserved for Prometheus");
      }
      CheckMaxLength(sink, Join(Join(at, "labels"), Printable(name, 64)), value, 1024);
    }
  }
}

// The shared recording rules rename the app's method/route/status/user labels to those canonical
// names (so one templated dashboard serves every API). That needs the names to be distinct, none
// to be another role's canonical name (routeLabel: method would overwrite the method), and none
// to be a label Prometheus or pulse already gives a meaning (le, pulse_apimonitor, ...).
void CheckRedLabelRoles(ErrorSink& sink, const RedSpec& red) {
  struct RoleName {
    const char* field;
    const char* canonical;
    const std::string& name;
  };
  const RoleName roles[] = {{"methodLabel", "method", red.method_label},
                            {"routeLabel", "route", red.route_label},
                            {"statusLabel", "status", red.status_label},
                            {"userLabel", "user", red.user_label}};
  for (std::size_t i = 0; i < std::size(roles); ++i) {
    const RoleName& r = roles[i];
    const std::string path = std::string("spec.red.") + r.field;
    for (const char* reserved : {"le", "pulse_apimonitor", "pulse_red_mapping", "pulse_endpoint",
                                 "job", "instance", "slo", "slo_window", "slo_threshold"}) {
      if (r.name == reserved) {
        sink.Add(
            ErrorCode::kInvalidValue, path, r.name,
            "\"" + r.name + "\" is reserved by Prometheus or pulse; it cannot name a RED label");
      }
    }
    for (std::size_t j = 0; j < std::size(roles); ++j) {
      if (j == i) continue;
      if (r.name == roles[j].canonical) {
        sink.Add(ErrorCode::kConflict, path, r.name,
                 "\"" + r.name + "\" is the name pulse records the " + roles[j].field +
                     " under; use it only as " + roles[j].field);
      } else if (j < i && r.name == roles[j].name) {
        sink.Add(ErrorCode::kConflict, path, r.name,
                 std::string("same label as spec.red.") + roles[j].field);
      }
    }
  }
}

void CheckRed(ErrorSink& sink, const RedSpec& red) {
  if (red.service_name.empty() || red.service_name.size() > 63) {
    sink.Add(ErrorCode::kInvalidValue, "spec.red.serviceName", Printable(red.service_name),
             "must be 1 to 63 characters long");
  }
  internal::CheckMetricName(sink, "spec.red.histogramMetric", red.histogram_metric);
  for (const char* suffix : {"_bucket", "_count", "_sum"}) {
    if (red.histogram_metric.ends_with(suffix)) {
      sink.Add(ErrorCode::kInvalidValue, "spec.red.histogramMetric", red.histogram_metric,
               "give the histogram's base name, without the " + std::string(suffix) + " suffix");
    }
  }
  internal::CheckMetricName(sink, "spec.red.perUserMetric", red.per_user_metric);
  CheckLabelName(sink, "spec.red.methodLabel", red.method_label);
  CheckLabelName(sink, "spec.red.routeLabel", red.route_label);
  CheckLabelName(sink, "spec.red.statusLabel", red.status_label);
  CheckLabelName(sink, "spec.red.userLabel", red.user_label);
  CheckRedLabelRoles(sink, red);
  if (!red.slo) return;
  const RedSlo& slo = *red.slo;
  auto objective = [&](const char* field, const std::optional<double>& v) {
    if (v && !(*v > 0.0 && *v < 100.0)) {
      sink.Add(
          ErrorCode::kOutOfRange, std::string("spec.red.slo.") + field, internal::ValueText(*v),
          internal::ValueText(*v) + " is not a percentage in the open range (0, 100), e.g. 99.9");
    }
  };
  objective("availabilityObjective", slo.availability_objective);
  objective("latencyObjective", slo.latency_objective);
  if (slo.latency_objective.has_value() != slo.latency_threshold.has_value()) {
    sink.Add(ErrorCode::kConflict, "spec.red.slo", "",
             "latencyThreshold and latencyObjective must be set together");
  }
  if (slo.latency_threshold) {
    CheckDurationRange(sink, "spec.red.slo.latencyThreshold", *slo.latency_threshold,
                       std::chrono::milliseconds(1), std::chrono::hours(1));
  }
  CheckDurationRange(sink, "spec.red.slo.window", slo.window, std::chrono::hours(1),
                     std::chrono::hours(24 * 365));
}

}  // namespace

std::vector<Error> ValidateApiMonitor(const ApiMonitor& m, const std::vector<Secret>& secrets,
                                      const ValidateOptions& options) {
  Error prototype;
  prototype.file = m.source.file;
  prototype.kind = kApiMonitorKind;
  prototype.namespace_ = m.metadata.namespace_;
  prototype.name = m.metadata.name;
  ErrorSink sink(prototype);
  const ApiMonitorSpec& s = m.spec;
  internal::CheckMeta(sink, m.metadata, 63);

  const bool static_mode = !s.static_targets.empty();
  if (s.selector.has_value() == static_mode) {
    sink.Add(ErrorCode::kConflict, "spec", "",
             static_mode ? "selector and staticTargets are mutually exclusive"
                         : "one of selector and staticTargets is required");
  }
  if (s.selector) CheckSelector(sink, *s.selector);
  if (s.namespace_selector.any && !s.namespace_selector.match_names.empty()) {
    sink.Add(ErrorCode::kConflict, "spec.namespaceSelector", "",
             "any and matchNames are mutually exclusive");
  }
  for (std::size_t i = 0; i < s.namespace_selector.match_names.size(); ++i) {
    const std::string& n = s.namespace_selector.match_names[i];
    if (!internal::IsDns1123Label(n)) {
      sink.Add(ErrorCode::kInvalidValue, Index("spec.namespaceSelector.matchNames", i),
               Printable(n), Quote(n) + " is not a valid namespace (a DNS-1123 label)");
    }
  }
  if (static_mode && (s.namespace_selector.any || !s.namespace_selector.match_names.empty() ||
                      !s.job_label.empty() || !s.target_labels.empty())) {
    sink.Add(ErrorCode::kConflict, "spec", "",
             "namespaceSelector, jobLabel and targetLabels apply to Services and cannot be used "
             "with staticTargets");
  }
  if (s.endpoints.empty())
    sink.Add(ErrorCode::kMissingField, "spec.endpoints", "", "at least one endpoint is required");
  CheckMaxItems(sink, "spec.endpoints", s.endpoints, 32);
  for (std::size_t i = 0; i < s.endpoints.size() && i < 32; ++i) {
    CheckEndpoint(sink, Index("spec.endpoints", i), s.endpoints[i], static_mode,
                  m.metadata.namespace_, secrets, options);
  }
  if (!s.job_label.empty() && !internal::IsLabelKey(s.job_label)) {
    sink.Add(ErrorCode::kInvalidValue, "spec.jobLabel", Printable(s.job_label),
             Quote(s.job_label) + " is not a valid Kubernetes label key");
  }
  CheckMaxItems(sink, "spec.targetLabels", s.target_labels, 32);
  for (std::size_t i = 0; i < s.target_labels.size(); ++i) {
    if (!internal::IsLabelKey(s.target_labels[i])) {
      sink.Add(ErrorCode::kInvalidValue, Index("spec.targetLabels", i),
               Printable(s.target_labels[i]),
               Quote(s.target_labels[i]) + " is not a valid Kubernetes label key");
    }
  }
  if (s.sample_limit > kMaxSampleLimit) {
    sink.Add(ErrorCode::kOutOfRange, "spec.sampleLimit", std::to_string(s.sample_limit),
             std::to_string(s.sample_limit) + " is out of range [0, " +
                 std::to_string(kMaxSampleLimit) + "]");
  }
  CheckStaticTargets(sink, s.static_targets);
  CheckRed(sink, s.red);
  internal::CheckAlertOverrides(sink, "spec.alerts", AlertScope::kApiMonitor, "", s.alerts);
  return std::move(sink.errors());
}

}  // namespace pulse::model
