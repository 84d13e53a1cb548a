// ApiMonitor (monitoring.pulse.dev/v1alpha1, short name apimon): how to scrape one HTTP API
// (ServiceMonitor-like, or static targets for an API outside the cluster) and how that API names
// its RED metrics and what its SLOs are. Field names mirror the CRD (crds/apimonitor.yaml) in
// snake_case; defaults below are the CRD's defaults and the parser applies them.
//
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pulse/model/alerts.h"
#include "pulse/model/common_types.h"
#include "pulse/model/duration.h"
#include "pulse/model/object_meta.h"

namespace pulse::model {

inline constexpr const char* kApiMonitorKind = "ApiMonitor";

// Which namespaces to look for selected Services in. Neither set: the monitor's own namespace.
struct NamespaceSelector {
  bool any = false;                      // every namespace
  std::vector<std::string> match_names;  // these namespaces (ignored when any)
};

enum class Scheme { kHttp, kHttps };
const char* SchemeName(Scheme scheme);  // "http" / "https"

// One scrape endpoint: a job per endpoint. With a selector, `port` names a Service port; with
// staticTargets, `port` must be empty (the targets carry host:port).
struct Endpoint {
  std::string port;
  std::string path = "/metrics";
  Scheme scheme = Scheme::kHttp;
  Duration interval = MakeDuration("30s");
  // Absent: min(interval, 10s) -- see EffectiveScrapeTimeout().
  std::optional<Duration> scrape_timeout;
  bool honor_labels = false;
  std::vector<RelabelConfig> relabelings;         // applied to targets (relabel_configs)
  std::vector<RelabelConfig> metric_relabelings;  // applied to samples (metric_relabel_configs)
  std::optional<TlsConfig> tls;
  std::optional<BasicAuth> basic_auth;
  std::optional<SecretKeySelector> bearer_token_secret;
};

// The scrape timeout Prometheus will use: scrape_timeout when set, else min(interval, 10s).
Duration EffectiveScrapeTimeout(const Endpoint& endpoint);

// A group of targets outside the cluster, like a Prometheus static_config.
struct StaticTargetGroup {
  std::vector<std::string> targets;  // "host:port"
  std::map<std::string, std::string> labels;
};

struct RedSlo {
  // Percent of requests that must not fail (status 5xx), exclusive range (0, 100), e.g. 99.9.
  std::optional<double> availability_objective;
  // A request is "fast" when it takes at most this long; should equal a histogram bucket bound.
  std::optional<Duration> latency_threshold;
  // Percent of requests that must be fast, exclusive range (0, 100), e.g. 99.
  std::optional<double> latency_objective;
  Duration window = MakeDuration("30d");  // SLO window the error budget is computed over
};

// How the application names its RED metrics, what its SLOs are, and what pulse generates.
struct RedSpec {
  std::string service_name;  // shown in dashboards; defaults to metadata.name
  std::string histogram_metric = "http_request_duration_seconds";  // base name, no _bucket
  std::string method_label = "method";
  std::string route_label = "route";
  std::string status_label = "status";
  // Per-user request counter from pulse-red's top-K (label user_label; "__other__" for the rest).
  std::string per_user_metric = "http_requests_by_user_total";
  std::string user_label = "user";
  std::optional<RedSlo> slo;
  // Deprecated (spec.dashboard.perMonitor decides): false also suppresses a requested
  // per-monitor dashboard. Every API is in the templated RED dashboard regardless.
  bool dashboard = true;
  bool alerts = true;  // generate RED / SLO alerting rules
};

// Which Grafana dashboards pulse generates for this API beyond the shared ones. Every API is in
// the templated RED dashboard (namespace / API variables); a dashboard of its own costs ~22 KB
// per monitor in ConfigMaps and Grafana, so it is opt-in.
struct DashboardSpec {
  bool per_monitor = false;
};

struct ApiMonitorSpec {
  // Exactly one of selector / static_targets is set (validated).
  std::optional<LabelSelector> selector;  // Service labels
  NamespaceSelector namespace_selector;
  std::vector<Endpoint> endpoints;  // at least one
  std::string job_label;            // Service label whose value becomes `job`; "" = Service name
  std::vector<std::string> target_labels;  // Service labels copied onto every target
  std::uint64_t sample_limit = 0;          // per scrape; 0 = no limit
  std::vector<StaticTargetGroup> static_targets;
  RedSpec red;
  DashboardSpec dashboard;
  // Per-alert settings (alerts.h; keys targetDown, targetAbsent, errorRatio, latencyP99).
  // red.alerts: false still switches every alert of the monitor off.
  AlertOverrides alerts;
};

struct ApiMonitor {
  ObjectMeta metadata;
  ApiMonitorSpec spec;
  Source source;
};

// The Prometheus scrape job_name of endpoint `index`: "apimonitor/<namespace>/<name>/<index>".
// Unique per object and endpoint; validation rejects two objects that would render the same one.
std::string ScrapeJobName(const ApiMonitor& monitor, std::size_t endpoint_index);

}  // namespace pulse::model
