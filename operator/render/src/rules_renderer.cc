#include "pulse/render/rules_renderer.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "pulse/render/metric_names.h"
#include "pulse/render/text_escape.h"
#include "pulse/render/yaml_writer.h"
#include "render_common.h"

namespace pulse::render {
namespace {

using detail::FormatNumber;
using detail::Matcher;
using detail::ObjectKey;
using detail::Selector;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

std::string DurationText(const model::Duration& d) {
  return d.text.empty() ? model::FormatDuration(d.value) : d.text;
}

struct Recording {
  std::string record;
  std::string expr;
};

struct Alert {
  std::string name;
  std::string expr;
  std::string for_;                                         // "" = fire on the first evaluation
  std::vector<std::pair<std::string, std::string>> labels;  // written in this order
  std::string summary;
  std::string description;
};

void WriteRecording(YamlWriter& w, const Recording& r) {
  w.BeginMap();
  w.Key("record");
  w.String(r.record);
  w.Key("expr");
  w.Literal(r.expr);
  w.EndMap();
}

void WriteAlert(YamlWriter& w, const Alert& a) {
  w.BeginMap();
  w.Key("alert");
  w.String(a.name);
  w.Key("expr");
  w.Literal(a.expr);
  if (!a.for_.empty()) {
    w.Key("for");
    w.String(a.for_);
  }
  w.Key("labels");
  w.BeginMap();
  for (const auto& [k, v] : a.labels) {
    w.Key(k);
    w.String(v);
  }
  w.EndMap();
  w.Key("annotations");
  w.BeginMap();
  w.Key("summary");
  w.String(a.summary);
  w.Key("description");
  w.String(a.description);
  w.EndMap();
  w.EndMap();
}

// A rule group: recordings first, then alerts (both in the order given).
void WriteGroup(YamlWriter& w, const std::string& name, const std::vector<Recording>& recordings,
                const std::vector<Alert>& alerts) {
  w.BeginMap();
  w.Key("name");
  w.String(name);
  w.Key("rules");
  w.BeginSeq();
  for (const auto& r : recordings) WriteRecording(w, r);
  for (const auto& a : alerts) WriteAlert(w, a);
  w.EndSeq();
  w.EndMap();
}

// ---------------------------------------------------------------------------------------------
// ApiMonitor

// The SLO windows of the SRE workbook's multi-window, multi-burn-rate alerts.
struct BurnWindow {
  const char* long_window;
  const char* short_window;
  milliseconds long_duration;
  int budget_percent;  // share of the error budget spent in long_window that triggers the alert
  const char* severity;
};
constexpr BurnWindow kBurnWindows[] = {
    {"1h", "5m", hours(1), 2, "page"},
    {"6h", "30m", hours(6), 5, "page"},
    {"1d", "2h", hours(24), 10, "ticket"},
    {"3d", "6h", hours(72), 10, "ticket"},
};
constexpr const char* kSloWindows[] = {"5m", "30m", "1h", "2h", "6h", "1d", "3d"};

// Burn-rate factor: budget share * SLO window / alert window. With a 30d SLO window this gives
// the workbook's 14.4, 6, 3 and 1.
std::string BurnFactor(const BurnWindow& bw, milliseconds slo_window) {
  const double factor = static_cast<double>(bw.budget_percent) *
                        static_cast<double>(slo_window.count()) /
                        (100.0 * static_cast<double>(bw.long_duration.count()));
  return FormatNumber(factor);
}

class ApiMonitorRules {
 public:
  ApiMonitorRules(const model::ApiMonitor& m, const RenderOptions& options)
      : m_(m), red_(m.spec.red), options_(options), key_(ObjectKey(m.metadata)) {}

  std::string Render() {
    const std::string prefix = "pulse/apimonitor/" + key_;
    YamlWriter w;
    w.BeginMap();
    w.Key("groups");
    w.BeginSeq();
    WriteGroup(w, prefix + "/red", RedRecordings(), {});
    if (red_.slo && (red_.slo->availability_objective || LatencySloComplete())) {
      WriteGroup(w, prefix + "/slo", SloRecordings(),
                 red_.alerts ? SloAlerts() : std::vector<Alert>{});
    }
    if (red_.alerts) WriteGroup(w, prefix + "/alerts", {}, RedAlerts());
    w.EndSeq();
    w.EndMap();
    return w.Take();
  }

 private:
  bool LatencySloComplete() const {
    return red_.slo && red_.slo->latency_threshold && red_.slo->latency_objective;
  }

  std::string Own(std::string_view metric, std::vector<Matcher> extra = {}) const {
    std::vector<Matcher> matchers{{names::kApiMonitorLabel, "=", key_}};
    for (auto& x : extra) matchers.push_back(std::move(x));
    return Selector(metric, matchers);
  }
  std::string Count() const { return red_.histogram_metric + "_count"; }
  std::string Bucket() const { return red_.histogram_metric + "_bucket"; }
  std::string Errors() const { return Own(Count(), {{red_.status_label, "=~", "5.."}}); }
  std::string By(std::initializer_list<std::string_view> labels) const {
    std::string out = "by (";
    out += names::kApiMonitorLabel;
    for (std::string_view l : labels) {
      out += ", ";
      out += l;
    }
    out += ')';
    return out;
  }
  // (errors or total * 0) / total: 0 instead of no data when there is traffic but no 5xx.
  static std::string Ratio(const std::string& by, const std::string& errors,
                           const std::string& total, const std::string& window) {
    const std::string e = "sum " + by + " (rate(" + errors + "[" + window + "]))";
    const std::string t = "sum " + by + " (rate(" + total + "[" + window + "]))";
    return "(\n  " + e + "\n  or\n  " + t + " * 0\n)\n/\n" + t;
  }

  std::vector<Recording> RedRecordings() const {
    std::vector<Recording> out;
    const std::string& M = red_.method_label;
    const std::string& R = red_.route_label;
    const std::string& S = red_.status_label;
    out.push_back({rules::kRequestsByMethodRouteStatus,
                   "sum " + By({M, R, S}) + " (rate(" + Own(Count()) + "[5m]))"});
    out.push_back({rules::kRequests, "sum " + By({}) + " (rate(" + Own(Count()) + "[5m]))"});
    out.push_back({rules::kErrorRatio, Ratio(By({}), Errors(), Own(Count()), "5m")});
    out.push_back(
        {rules::kErrorRatioByMethodRoute, Ratio(By({M, R}), Errors(), Own(Count()), "5m")});
    for (const char* q : {"50", "90", "99"}) {
      const std::string phi = std::string("0.") + q;
      out.push_back({std::string(rules::kLatencyByMethodRoute) + ":p" + q + "_5m",
                     "histogram_quantile(" + phi + ", sum " + By({M, R, "le"}) + " (rate(" +
                         Own(Bucket()) + "[5m])))"});
    }
    for (const char* q : {"50", "90", "99"}) {
      const std::string phi = std::string("0.") + q;
      out.push_back({std::string(rules::kLatency) + ":p" + q + "_5m",
                     "histogram_quantile(" + phi + ", sum " + By({"le"}) + " (rate(" +
                         Own(Bucket()) + "[5m])))"});
    }
    out.push_back({rules::kUserRequests, "sum " + By({red_.user_label}) + " (rate(" +
                                             Own(red_.per_user_metric) + "[5m]))"});
    return out;
  }

  std::vector<Recording> SloRecordings() const {
    std::vector<Recording> out;
    if (red_.slo->availability_objective) {
      for (const char* win : kSloWindows) {
        out.push_back({std::string(rules::kSloAvailabilityErrorRatio) + ":rate" + win,
                       Ratio(By({}), Errors(), Own(Count()), win)});
      }
    }
    if (LatencySloComplete()) {
      const std::string fast =
          Own(Bucket(), {{"le", "=~", detail::LeRegex(red_.slo->latency_threshold->value)}});
      for (const char* win : kSloWindows) {
        const std::string f = std::string("sum ") + By({}) + " (rate(" + fast + "[" + win + "]))";
        const std::string t =
            std::string("sum ") + By({}) + " (rate(" + Own(Count()) + "[" + win + "]))";
        out.push_back({std::string(rules::kSloLatencySlowRatio) + ":rate" + win,
                       "1 - (\n  " + f + "\n  /\n  " + t + "\n)"});
      }
    }
    return out;
  }

  // Both burn-rate alerts (page and ticket) for one SLO.
  void AppendBurnAlerts(std::vector<Alert>& out, const char* alert_name, const char* slo,
                        const char* ratio_prefix, double objective_percent,
                        const std::string& what) const {
    const milliseconds window = red_.slo->window.value;
    const std::string objective = FormatNumber(objective_percent);
    const std::string budget = "(100 - " + objective + ") / 100";
    const std::string sel =
        "{" + std::string(names::kApiMonitorLabel) + "=" + PromQlQuoted(key_) + "}";
    for (const char* severity : {"page", "ticket"}) {
      std::string expr;
      for (const BurnWindow& bw : kBurnWindows) {
        if (std::string_view(bw.severity) != severity) continue;
        const std::string threshold = BurnFactor(bw, window) + " * " + budget;
        if (!expr.empty()) expr += "\nor\n";
        expr += "(\n  " + std::string(ratio_prefix) + ":rate" + bw.long_window + sel + " > (" +
                threshold + ")\n  and\n  " + ratio_prefix + ":rate" + bw.short_window + sel +
                " > (" + threshold + ")\n)";
      }
      Alert a;
      a.name = alert_name;
      a.expr = expr;
      a.labels = {{"severity", severity}, {"slo", slo}};
      a.summary = ServiceName() + ": " + what + " error budget burning too fast";
      a.description = ServiceName() + " (ApiMonitor " + key_ + ") is spending its " +
                      DurationText(red_.slo->window) + " " + what + " error budget (objective " +
                      objective + "%) fast enough to need " +
                      (std::string_view(severity) == "page" ? "immediate attention"
                                                            : "attention within a day") +
                      ".";
      out.push_back(std::move(a));
    }
  }

  std::vector<Alert> SloAlerts() const {
    std::vector<Alert> out;
    if (red_.slo->availability_objective) {
      AppendBurnAlerts(out, alerts::kApiErrorBudgetBurn, "availability",
                       rules::kSloAvailabilityErrorRatio, *red_.slo->availability_objective,
                       "availability");
    }
    if (LatencySloComplete()) {
      AppendBurnAlerts(out, alerts::kApiLatencyBudgetBurn, "latency", rules::kSloLatencySlowRatio,
                       *red_.slo->latency_objective, "latency");
    }
    return out;
  }

  std::vector<Alert> RedAlerts() const {
    const AlertThresholds& t = options_.thresholds;
    std::vector<Alert> out;
    {
      Alert a;
      a.name = alerts::kApiTargetDown;
      a.expr = Own(names::kUp) + " == 0";
      a.for_ = DurationText(t.target_down_for);
      a.labels = {{"severity", "warning"}};
      a.summary = ServiceName() + ": scrape target down";
      a.description = "Prometheus cannot scrape {{ $labels.instance }} of " + ServiceName() +
                      " (ApiMonitor " + key_ + ").";
      out.push_back(std::move(a));
    }
    const bool availability_slo = red_.slo && red_.slo->availability_objective;
    if (!availability_slo) {
      Alert a;
      a.name = alerts::kApiHighErrorRatio;
      a.expr = Selector(rules::kErrorRatio, {{names::kApiMonitorLabel, "=", key_}}) + " > " +
               FormatNumber(t.error_ratio);
      a.for_ = DurationText(t.error_ratio_for);
      a.labels = {{"severity", "warning"}};
      a.summary = ServiceName() + ": high 5xx ratio";
      a.description = "More than " + FormatNumber(t.error_ratio * 100) + "% of the requests to " +
                      ServiceName() + " (ApiMonitor " + key_ + ") fail with a 5xx status.";
      out.push_back(std::move(a));
    }
    if (!LatencySloComplete()) {
      Alert a;
      a.name = alerts::kApiHighLatency;
      a.expr = Selector(std::string(rules::kLatency) + ":p99_5m",
                        {{names::kApiMonitorLabel, "=", key_}}) +
               " > " + FormatNumber(t.latency_p99_seconds);
      a.for_ = DurationText(t.latency_for);
      a.labels = {{"severity", "warning"}};
      a.summary = ServiceName() + ": high p99 latency";
      a.description = "The 99th percentile latency of " + ServiceName() + " (ApiMonitor " + key_ +
                      ") is above " + FormatNumber(t.latency_p99_seconds) + "s.";
      out.push_back(std::move(a));
    }
    return out;
  }

  std::string ServiceName() const {
    return red_.service_name.empty() ? m_.metadata.name : red_.service_name;
  }

  const model::ApiMonitor& m_;
  const model::RedSpec& red_;
  const RenderOptions& options_;
  const std::string key_;
};

// ---------------------------------------------------------------------------------------------
// Exporter

std::vector<Alert> ExporterAlerts(const model::Exporter& e, const RenderOptions& options) {
  const AlertThresholds& t = options.thresholds;
  const std::string key = ObjectKey(e.metadata);
  const std::vector<Matcher> own{{names::kExporterLabel, "=", key}};
  const std::string subject =
      std::string("Exporter ") + key + " (" + model::ExporterTypeName(e.spec.type) + ")";
  std::vector<Alert> out;
  auto add = [&](const char* name, std::string expr, const model::Duration* for_,
                 const char* severity, std::string summary, std::string description) {
    Alert a;
    a.name = name;
    a.expr = std::move(expr);
    if (for_ != nullptr) a.for_ = DurationText(*for_);
    a.labels = {{"severity", severity}};
    a.summary = std::move(summary);
    a.description = std::move(description);
    out.push_back(std::move(a));
  };
  add(alerts::kExporterDown, Selector(names::kUp, own) + " == 0", &t.target_down_for, "warning",
      subject + ": pulse-exporter down",
      "Prometheus cannot scrape pulse-exporter {{ $labels.instance }} of " + subject + ".");
  add(alerts::kExporterTargetDown, Selector(names::kExporterTargetUp, own) + " == 0",
      &t.target_down_for, "critical", subject + ": monitored system unreachable",
      "pulse-exporter cannot refresh target {{ $labels.target }} of " + subject +
          "; its metrics are getting stale.");
  switch (e.spec.type) {
    case model::ExporterType::kRabbitMq:
      add(alerts::kRabbitMqDeadLetterGrowing,
          "delta(" + Selector(names::kRabbitDeadLetterQueueMessages, own) + "[" +
              DurationText(t.dead_letter_growth_window) + "]) > 0",
          &t.dead_letter_for, "warning", subject + ": dead-letter queue growing",
          "Dead-letter queue {{ $labels.queue }} in vhost {{ $labels.vhost }} keeps growing: "
          "messages are being rejected or expiring.");
      add(alerts::kRabbitMqInFlightBacklog,
          Selector(names::kRabbitQueueUnacked, own) + " > " + std::to_string(t.in_flight_messages),
          &t.in_flight_for, "warning", subject + ": in-flight backlog",
          "Queue {{ $labels.queue }} in vhost {{ $labels.vhost }} has more than " +
              std::to_string(t.in_flight_messages) +
              " delivered but unacknowledged messages: consumers are stuck or too slow.");
      break;
    case model::ExporterType::kPostgreSql:
      add(alerts::kPostgresConnectionsNearMax,
          "sum without (database, state) (" + Selector(names::kPgConnections, own) + ")\n/\n" +
              Selector(names::kPgMaxConnections, own) + "\n> " + FormatNumber(t.connections_ratio),
          &t.connections_for, "warning", subject + ": connections near max_connections",
          "PostgreSQL target {{ $labels.target }} uses more than " +
              FormatNumber(t.connections_ratio * 100) + "% of max_connections.");
      [[fallthrough]];
    case model::ExporterType::kS3: {
      const bool pg = e.spec.type == model::ExporterType::kPostgreSql;
      const std::string size = Selector(pg ? names::kPgDatabaseSize : names::kS3BucketSize, own);
      const std::string ago = size + " offset " + DurationText(t.growth_window);
      add(pg ? alerts::kPostgresDatabaseGrowth : alerts::kS3BucketGrowth,
          "(" + size + " - " + ago + ")\n/\n" + ago + "\n> " + FormatNumber(t.size_growth_ratio),
          nullptr, "warning", subject + (pg ? ": database growing fast" : ": bucket growing fast"),
          std::string(pg ? "Database {{ $labels.database }}" : "Bucket {{ $labels.bucket }}") +
              " grew by more than " + FormatNumber(t.size_growth_ratio * 100) + "% within " +
              DurationText(t.growth_window) + ".");
      break;
    }
  }
  return out;
}

}  // namespace

std::string RenderApiMonitorRules(const model::ApiMonitor& monitor, const RenderOptions& options) {
  return ApiMonitorRules(monitor, options).Render();
}

std::string RenderExporterRules(const model::Exporter& exporter, const RenderOptions& options) {
  YamlWriter w;
  w.BeginMap();
  w.Key("groups");
  w.BeginSeq();
  WriteGroup(w, "pulse/exporter/" + ObjectKey(exporter.metadata), {},
             ExporterAlerts(exporter, options));
  w.EndSeq();
  w.EndMap();
  return w.Take();
}

std::vector<RenderedFile> RenderRuleFiles(const RenderInputs& inputs) {
  std::vector<RenderedFile> out;
  for (const model::ApiMonitor* m : detail::SortedApiMonitors(inputs.api_monitors)) {
    out.push_back({"rules/" + detail::FileStem("apimonitor", m->metadata) + ".yaml",
                   RenderApiMonitorRules(*m, inputs.options)});
  }
  for (const model::Exporter* e : detail::SortedExporters(inputs.exporters)) {
    out.push_back({"rules/" + detail::FileStem("exporter", e->metadata) + ".yaml",
                   RenderExporterRules(*e, inputs.options)});
  }
  std::sort(out.begin(), out.end(),
            [](const RenderedFile& a, const RenderedFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace pulse::render
