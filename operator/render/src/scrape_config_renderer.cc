#include "pulse/render/scrape_config_renderer.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <tuple>

#include "pulse/render/exporter_config_renderer.h"
#include "pulse/render/metric_names.h"
#include "pulse/render/remote_write_renderer.h"
#include "pulse/render/rules_renderer.h"
#include "pulse/render/scrape_sharding.h"
#include "pulse/render/text_escape.h"
#include "pulse/render/yaml_writer.h"
#include "render_common.h"

namespace pulse::render {
namespace {

using detail::ObjectKey;
using detail::SecretFilePath;

// Meta labels of Prometheus' Kubernetes discovery, role endpointslice.
constexpr const char* kMetaNamespace = "__meta_kubernetes_namespace";
constexpr const char* kMetaServiceName = "__meta_kubernetes_service_name";
constexpr const char* kMetaPodName = "__meta_kubernetes_pod_name";
constexpr const char* kMetaPortName = "__meta_kubernetes_endpointslice_port_name";
constexpr std::string_view kMetaServiceLabel = "__meta_kubernetes_service_label_";
constexpr std::string_view kMetaServiceLabelPresent = "__meta_kubernetes_service_labelpresent_";

std::string ServiceLabel(std::string_view k8s_label) {
  return std::string(kMetaServiceLabel) + SanitizeLabelName(k8s_label);
}
std::string ServiceLabelPresent(std::string_view k8s_label) {
  return std::string(kMetaServiceLabelPresent) + SanitizeLabelName(k8s_label);
}

const std::string& DurationText(const model::Duration& d, std::string& storage) {
  if (!d.text.empty()) return d.text;
  storage = model::FormatDuration(d.value);
  return storage;
}

void DurationField(YamlWriter& w, std::string_view key, const model::Duration& d) {
  std::string storage;
  w.Key(key);
  w.String(DurationText(d, storage));
}

// A relabel replacement is expanded ($1, ${name}); a literal value must escape '$'.
std::string LiteralReplacement(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

// One relabel rule pulse writes itself; empty fields are left out (Prometheus defaults apply:
// separator ";", regex "(.*)", replacement "$1", action replace).
struct Rule {
  std::vector<std::string> source_labels;
  std::string regex;
  std::string target_label;
  std::string replacement;
  std::string action;
};

void WriteRule(YamlWriter& w, const Rule& r) {
  w.BeginMap();
  if (!r.source_labels.empty()) {
    w.Key("source_labels");
    w.BeginSeq();
    for (const auto& l : r.source_labels) w.String(l);
    w.EndSeq();
  }
  if (!r.regex.empty()) {
    w.Key("regex");
    w.String(r.regex);
  }
  if (!r.target_label.empty()) {
    w.Key("target_label");
    w.String(r.target_label);
  }
  if (!r.replacement.empty()) {
    w.Key("replacement");
    w.String(r.replacement);
  }
  if (!r.action.empty()) {
    w.Key("action");
    w.String(r.action);
  }
  w.EndMap();
}

// namespaces: nullptr = every namespace (no `namespaces:` key).
void WriteKubernetesSd(YamlWriter& w, const std::vector<std::string>* namespaces,
                       const RenderOptions& options) {
  w.Key("kubernetes_sd_configs");
  w.BeginSeq();
  w.BeginMap();
  w.Key("role");
  w.String("endpointslice");
  if (options.api_server) {
    const ExternalApiServer& api = *options.api_server;
    w.Key("api_server");
    w.String(api.url);
    if (!api.ca_file.empty() || !api.cert_file.empty() || !api.key_file.empty()) {
      w.Key("tls_config");
      w.BeginMap();
      if (!api.ca_file.empty()) {
        w.Key("ca_file");
        w.String(api.ca_file);
      }
      if (!api.cert_file.empty()) {
        w.Key("cert_file");
        w.String(api.cert_file);
      }
      if (!api.key_file.empty()) {
        w.Key("key_file");
        w.String(api.key_file);
      }
      w.EndMap();
    }
    if (!api.bearer_token_file.empty()) {
      w.Key("authorization");
      w.BeginMap();
      w.Key("type");
      w.String("Bearer");
      w.Key("credentials_file");
      w.String(api.bearer_token_file);
      w.EndMap();
    }
  }
  if (namespaces != nullptr) {
    w.Key("namespaces");
    w.BeginMap();
    w.Key("names");
    w.BeginSeq();
    for (const auto& ns : *namespaces) w.String(ns);
    w.EndSeq();
    w.EndMap();
  }
  w.EndMap();
  w.EndSeq();
}

// keep/drop rules implementing a Kubernetes LabelSelector over the Service's labels. Each
// requirement is one rule, so all must hold (AND). "present;value" pairs tell an empty label
// value from a missing label.
void AppendSelectorRules(const model::LabelSelector& selector, std::vector<Rule>& rules) {
  for (const auto& [key, value] : selector.match_labels) {
    rules.push_back(Rule{{ServiceLabel(key), ServiceLabelPresent(key)},
                         "(" + RegexQuoteMeta(value) + ");true",
                         "",
                         "",
                         "keep"});
  }
  // Canonical order: requirements sorted, values sorted and de-duplicated, so two resources that
  // mean the same render the same.
  std::vector<model::LabelSelectorRequirement> reqs = selector.match_expressions;
  for (auto& r : reqs) {
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
  }
  std::sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) {
    return std::tie(a.key, a.op, a.values) < std::tie(b.key, b.op, b.values);
  });
  for (const auto& r : reqs) {
    if (r.op == "In" || r.op == "NotIn") {
      std::string alternatives;
      for (std::size_t i = 0; i < r.values.size(); ++i) {
        if (i > 0) alternatives += '|';
        alternatives += RegexQuoteMeta(r.values[i]);
      }
      rules.push_back(Rule{{ServiceLabel(r.key), ServiceLabelPresent(r.key)},
                           "(" + alternatives + ");true",
                           "",
                           "",
                           r.op == "In" ? "keep" : "drop"});
    } else if (r.op == "Exists" || r.op == "DoesNotExist") {
      rules.push_back(
          Rule{{ServiceLabelPresent(r.key)}, "true", "", "", r.op == "Exists" ? "keep" : "drop"});
    }
    // Other operators are rejected by validation; an unknown one selects nothing extra.
  }
}

// namespace, service, pod and endpoint labels from the discovered EndpointSlice.
void AppendTargetIdentityRules(std::vector<Rule>& rules) {
  rules.push_back(Rule{{kMetaNamespace}, "", "namespace", "", ""});
  rules.push_back(Rule{{kMetaServiceName}, "", "service", "", ""});
  rules.push_back(Rule{{kMetaPodName}, "", "pod", "", ""});
  rules.push_back(Rule{{kMetaPortName}, "", "endpoint", "", ""});
}

// The shard rules come last: the hash must be of the address after the user's relabelings.
void WriteRules(YamlWriter& w, const std::vector<Rule>& rules,
                const std::vector<model::RelabelConfig>& user, const ShardSelector& shard) {
  w.Key("relabel_configs");
  w.BeginSeq();
  for (const Rule& r : rules) WriteRule(w, r);
  for (const auto& r : user) detail::WriteUserRelabel(w, r);
  WriteShardRelabelRules(w, shard);
  w.EndSeq();
}

std::vector<std::string> MonitorNamespaces(const model::ApiMonitor& m) {
  const auto& sel = m.spec.namespace_selector;
  if (sel.match_names.empty()) return {m.metadata.namespace_};
  std::set<std::string> unique(sel.match_names.begin(), sel.match_names.end());
  return {unique.begin(), unique.end()};
}

void WriteApiMonitorJob(YamlWriter& w, const model::ApiMonitor& m, std::size_t index,
                        const RenderOptions& options) {
  const model::Endpoint& ep = m.spec.endpoints[index];
  const std::string& ns = m.metadata.namespace_;
  w.BeginMap();
  w.Key("job_name");
  w.String(model::ScrapeJobName(m, index));
  w.Key("honor_labels");
  w.Bool(ep.honor_labels);
  w.Key("scheme");
  w.String(model::SchemeName(ep.scheme));
  w.Key("metrics_path");
  w.String(ep.path);
  DurationField(w, "scrape_interval", ep.interval);
  DurationField(w, "scrape_timeout", model::EffectiveScrapeTimeout(ep));
  if (m.spec.sample_limit > 0) {
    w.Key("sample_limit");
    w.Int(static_cast<std::int64_t>(
        std::min<std::uint64_t>(m.spec.sample_limit, static_cast<std::uint64_t>(INT64_MAX))));
  }
  if (ep.tls) detail::WriteTls(w, *ep.tls, ns, options);
  if (ep.basic_auth) {
    // username_file needs Prometheus >= 2.45 (docs/rendering.md); the value itself is never
    // rendered.
    w.Key("basic_auth");
    w.BeginMap();
    w.Key("username_file");
    w.String(SecretFilePath(options, ns, ep.basic_auth->username));
    w.Key("password_file");
    w.String(SecretFilePath(options, ns, ep.basic_auth->password));
    w.EndMap();
  }
  if (ep.bearer_token_secret) {
    w.Key("authorization");
    w.BeginMap();
    w.Key("type");
    w.String("Bearer");
    w.Key("credentials_file");
    w.String(SecretFilePath(options, ns, *ep.bearer_token_secret));
    w.EndMap();
  }

  std::vector<Rule> rules;
  const std::string key = ObjectKey(m.metadata);
  if (m.spec.selector) {
    const std::vector<std::string> namespaces = MonitorNamespaces(m);
    WriteKubernetesSd(w, m.spec.namespace_selector.any ? nullptr : &namespaces, options);
    AppendSelectorRules(*m.spec.selector, rules);
    rules.push_back(Rule{{kMetaPortName}, RegexQuoteMeta(ep.port), "", "", "keep"});
    AppendTargetIdentityRules(rules);
    rules.push_back(Rule{{kMetaServiceName}, "", "job", "", ""});
    if (!m.spec.job_label.empty()) {
      // Only when the Service has the label: otherwise job stays the Service name.
      rules.push_back(Rule{{ServiceLabel(m.spec.job_label)}, "(.+)", "job", "", ""});
    }
    std::vector<std::string> target_labels = m.spec.target_labels;
    std::sort(target_labels.begin(), target_labels.end());
    target_labels.erase(std::unique(target_labels.begin(), target_labels.end()),
                        target_labels.end());
    for (const auto& label : target_labels) {
      rules.push_back(Rule{{ServiceLabel(label)}, "(.+)", SanitizeLabelName(label), "", ""});
    }
  } else {
    w.Key("static_configs");
    w.BeginSeq();
    for (const auto& group : m.spec.static_targets) {
      w.BeginMap();
      w.Key("targets");
      w.BeginSeq();
      for (const auto& t : group.targets) w.String(t);
      w.EndSeq();
      if (!group.labels.empty()) {
        w.Key("labels");
        w.BeginMap();
        for (const auto& [k, v] : group.labels) {
          w.Key(k);
          w.String(v);
        }
        w.EndMap();
      }
      w.EndMap();
    }
    w.EndSeq();
    const std::string& job =
        m.spec.red.service_name.empty() ? m.metadata.name : m.spec.red.service_name;
    rules.push_back(Rule{{}, "", "job", LiteralReplacement(job), ""});
  }
  rules.push_back(Rule{{}, "", names::kApiMonitorLabel, LiteralReplacement(key), ""});
  rules.push_back(
      Rule{{}, "", names::kEndpointLabel, LiteralReplacement(std::to_string(index)), ""});
  // Which metric-name mapping the target's series follow: the shared RED rules of a mapping
  // select its monitors by this label (rules_renderer.h).
  rules.push_back(
      Rule{{}, "", names::kRedMappingLabel, LiteralReplacement(RedMappingName(m.spec.red)), ""});
  WriteRules(w, rules, ep.relabelings, options.shard);
  if (!ep.metric_relabelings.empty()) {
    w.Key("metric_relabel_configs");
    w.BeginSeq();
    for (const auto& r : ep.metric_relabelings) detail::WriteUserRelabel(w, r);
    w.EndSeq();
  }
  w.EndMap();
}

// static_configs with the one address pulse-exporter has where no Kubernetes Service exists:
// the workload name as hostname (a compose service of that name) and the port the rendered
// exporter config listens on.
void WriteExporterStaticTarget(YamlWriter& w, const std::string& workload) {
  const std::string_view listen = kExporterListen;
  const std::string_view port = listen.substr(listen.rfind(':') + 1);
  w.Key("static_configs");
  w.BeginSeq();
  w.BeginMap();
  w.Key("targets");
  w.BeginSeq();
  w.String(workload + ":" + std::string(port));
  w.EndSeq();
  w.EndMap();
  w.EndSeq();
}

void WriteExporterJob(YamlWriter& w, const model::Exporter& e, const RenderOptions& options) {
  w.BeginMap();
  w.Key("job_name");
  w.String(model::ScrapeJobName(e));
  w.Key("honor_labels");
  w.Bool(false);
  w.Key("scheme");
  w.String("http");
  w.Key("metrics_path");
  w.String("/metrics");
  DurationField(w, "scrape_interval", e.spec.interval);
  const model::Duration timeout =
      e.spec.scrape_timeout
          ? *e.spec.scrape_timeout
          : (e.spec.interval.value < std::chrono::seconds(10) ? e.spec.interval
                                                              : model::MakeDuration("10s"));
  DurationField(w, "scrape_timeout", timeout);
  const std::string workload = model::WorkloadName(e);
  std::vector<Rule> rules;
  if (options.exporter_static_targets) {
    WriteExporterStaticTarget(w, workload);
    // The labels Kubernetes discovery would give the target (no pod: there is none), so the
    // Exporter's rules and dashboard select the same series either way.
    rules.push_back(Rule{{}, "", "namespace", LiteralReplacement(e.metadata.namespace_), ""});
    rules.push_back(Rule{{}, "", "service", LiteralReplacement(workload), ""});
    rules.push_back(Rule{{}, "", "endpoint", LiteralReplacement(options.exporter_port_name), ""});
    rules.push_back(Rule{{}, "", "job", LiteralReplacement(workload), ""});
  } else {
    const std::vector<std::string> namespaces = {e.metadata.namespace_};
    WriteKubernetesSd(w, &namespaces, options);
    rules.push_back(Rule{{kMetaServiceName}, RegexQuoteMeta(workload), "", "", "keep"});
    rules.push_back(
        Rule{{kMetaPortName}, RegexQuoteMeta(options.exporter_port_name), "", "", "keep"});
    AppendTargetIdentityRules(rules);
    rules.push_back(Rule{{kMetaServiceName}, "", "job", "", ""});
  }
  rules.push_back(
      Rule{{}, "", names::kExporterLabel, LiteralReplacement(ObjectKey(e.metadata)), ""});
  WriteRules(w, rules, {}, options.shard);
  w.EndMap();
}

}  // namespace

std::string RenderPrometheusConfig(const RenderInputs& inputs) {
  std::string out;
  RenderPrometheusConfig(inputs, [&out](std::string_view piece) { out += piece; });
  return out;
}

void RenderPrometheusConfig(const RenderInputs& inputs,
                            const std::function<void(std::string_view)>& sink) {
  constexpr std::size_t kDrainBytes = 64 * 1024;
  const RenderOptions& options = inputs.options;
  YamlWriter w;
  w.BeginMap();
  w.Key("global");
  w.BeginMap();
  DurationField(w, "scrape_interval", options.scrape_interval);
  DurationField(w, "scrape_timeout", options.scrape_timeout);
  DurationField(w, "evaluation_interval", options.evaluation_interval);
  if (!options.external_labels.empty()) {
    w.Key("external_labels");
    w.BeginMap();
    for (const auto& [k, v] : options.external_labels) {
      w.Key(k);
      w.String(v);
    }
    w.EndMap();
  }
  w.EndMap();

  if (!options.rule_files_glob.empty()) {
    w.Key("rule_files");
    w.BeginSeq();
    w.String(options.rule_files_glob);
    w.EndSeq();
  }

  if (!options.scrape_config_files.empty()) {
    w.Key("scrape_config_files");
    w.BeginSeq();
    for (const auto& f : options.scrape_config_files) w.String(f);
    w.EndSeq();
  }

  if (!options.alertmanagers.empty()) {
    std::set<std::string> targets(options.alertmanagers.begin(), options.alertmanagers.end());
    w.Key("alerting");
    w.BeginMap();
    w.Key("alertmanagers");
    w.BeginSeq();
    w.BeginMap();
    w.Key("static_configs");
    w.BeginSeq();
    w.BeginMap();
    w.Key("targets");
    w.BeginSeq();
    for (const auto& t : targets) w.String(t);
    w.EndSeq();
    w.EndMap();
    w.EndSeq();
    w.EndMap();
    w.EndSeq();
    w.EndMap();
  }

  WriteRemoteWriteSection(w, options);

  w.Key("scrape_configs");
  w.BeginSeq();
  for (const model::ApiMonitor* m : detail::SortedApiMonitors(inputs)) {
    for (std::size_t i = 0; i < m->spec.endpoints.size(); ++i) {
      WriteApiMonitorJob(w, *m, i, options);
    }
    if (w.str().size() >= kDrainBytes) w.Drain(sink);
  }
  for (const model::Exporter* e : detail::SortedExporters(inputs)) {
    WriteExporterJob(w, *e, options);
  }
  w.EndSeq();
  w.EndMap();
  w.Drain(sink);
}

std::string CredentialFileName(std::string_view namespace_, const model::SecretKeySelector& ref) {
  std::string name;
  name.reserve(namespace_.size() + ref.name.size() + ref.key.size() + 2);
  name.append(namespace_).append("_").append(ref.name).append("_").append(ref.key);
  constexpr std::size_t kMaxKey = 253;  // a Secret data key
  if (name.size() > kMaxKey) {
    name = name.substr(0, kMaxKey - 17) + "_" + detail::HexPrefix(detail::Fnv1a64(name), 16);
  }
  return name;
}

}  // namespace pulse::render
