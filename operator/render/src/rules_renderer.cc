#include "pulse/render/rules_renderer.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "pulse/render/metric_names.h"
#include "pulse/render/text_escape.h"
#include "pulse/render/yaml_writer.h"
#include "render_common.h"

namespace pulse::render {
namespace {

using detail::DurationText;

using detail::FormatNumber;
using detail::Matcher;
using detail::ObjectKey;
using detail::Selector;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

struct Recording {
  std::string record;
  std::string expr;
  std::vector<std::pair<std::string, std::string>> labels = {};  // written in this order
};

struct Alert {
  std::string name;
  std::string expr;
  std::string for_;                                         // "" = fire on the first evaluation
  std::vector<std::pair<std::string, std::string>> labels;  // written in this order
  std::string summary;
  std::string description;
  std::string runbook_url;  // "" = no runbook_url annotation
};

void WriteRecording(YamlWriter& w, const Recording& r) {
  w.BeginMap();
  w.Key("record");
  w.String(r.record);
  w.Key("expr");
  w.Literal(r.expr);
  if (!r.labels.empty()) {
    w.Key("labels");
    w.BeginMap();
    for (const auto& [k, v] : r.labels) {
      w.Key(k);
      w.String(v);
    }
    w.EndMap();
  }
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
  if (!a.runbook_url.empty()) {
    w.Key("runbook_url");
    w.String(a.runbook_url);
  }
  w.EndMap();
  w.EndMap();
}

// The settings of one alert (pulse/model/alerts.h) on a rendered rule: `for`, severity first,
// then the rule's own static labels (already in a.labels after the severity), then the extra
// labels in name order, and the runbook annotation.
void Decorate(Alert& a, const model::EffectiveAlert& e,
              std::vector<std::pair<std::string, std::string>> static_labels = {}) {
  a.for_ = e.for_.value.count() == 0 ? "" : DurationText(e.for_);
  a.labels = {{"severity", e.severity}};
  for (auto& l : static_labels) a.labels.push_back(std::move(l));
  for (const auto& [k, v] : e.labels) a.labels.emplace_back(k, v);
  a.runbook_url = e.runbook_url;
}

const model::AlertDefinition& Def(model::AlertScope scope, std::string_view key) {
  return *model::FindAlert(scope, key);
}

// The look-back of an absent-target alert: the configured window, but at least three scrape
// intervals, so a slow job is not "absent" between two scrapes.
milliseconds AbsentWindow(const model::EffectiveAlert& e, const model::Duration& interval) {
  return std::max(e.window.value, 3 * interval.value);
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
//
// Three kinds of groups (rules_renderer.h): shared RED recordings per mapping, one generic SLO
// group, one generic alert group; and per monitor only its objectives (as series the generic
// rules join on with `on (pulse_apimonitor)`). Rendering 10,000 monitors therefore writes a few
// dozen shared rules plus ~2 tiny rules per monitor with an SLO, instead of ~30 per monitor.

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

// A percentage as a ratio, written from the percentage's shortest text so 99.9 becomes "0.999"
// rather than the binary neighbour 0.9990000000000001.
std::string PercentAsRatio(double percent) {
  std::string text = FormatNumber(percent);
  if (text.find_first_of("eE") != std::string::npos || percent < 0) {
    return FormatNumber(percent / 100);
  }
  std::string int_part = text, frac;
  if (const auto dot = text.find('.'); dot != std::string::npos) {
    int_part = text.substr(0, dot);
    frac = text.substr(dot + 1);
  }
  while (int_part.size() < 3) int_part.insert(0, "0");
  std::string digits = int_part.substr(int_part.size() - 2) + frac;
  std::string whole = int_part.substr(0, int_part.size() - 2);
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return digits.empty() ? whole : whole + "." + digits;
}

bool HasLatencySlo(const model::RedSpec& red) {
  return red.slo && red.slo->latency_threshold && red.slo->latency_objective;
}
bool HasAvailabilitySlo(const model::RedSpec& red) {
  return red.slo && red.slo->availability_objective;
}
// The SLO window as one canonical text, so "30d" and "720h" share one set of alerts.
std::string SloWindowText(const model::RedSpec& red) {
  return model::FormatDuration(red.slo->window.value);
}

// A mapped label name and the canonical name the recorded series use for it.
struct Role {
  std::string mapped;
  const char* canonical;
};

// The shared RED recordings of one metric-name mapping.
class RedMappingRules {
 public:
  RedMappingRules(const model::RedSpec& red, std::string mapping,
                  std::vector<milliseconds> latency_thresholds)
      : red_(red),
        mapping_(std::move(mapping)),
        latency_thresholds_(std::move(latency_thresholds)),
        method_{red.method_label, names::kMethodLabel},
        route_{red.route_label, names::kRouteLabel},
        status_{red.status_label, names::kStatusLabel},
        user_{red.user_label, names::kUserLabel} {}

  std::vector<Recording> Recordings() const {
    std::vector<Recording> out;
    const std::string count = Own(Count());
    const std::string errors = Own(Count(), {{red_.status_label, "=~", "5.."}});
    out.push_back({rules::kRequestsByMethodRouteStatus,
                   SumBy({method_, route_, status_}, "rate(" + count + "[5m])")});
    out.push_back({rules::kRequests, SumBy({}, "rate(" + count + "[5m])")});
    // (errors or total * 0): 0 instead of no data when there is traffic but no 5xx.
    out.push_back({rules::kErrors, SumBy({}, "rate(" + errors + "[5m])") + "\nor\n" +
                                       SumBy({}, "rate(" + count + "[5m])") + " * 0"});
    out.push_back({rules::kErrorRatio, Ratio({}, errors, count)});
    out.push_back({rules::kErrorRatioByMethodRoute, Ratio({method_, route_}, errors, count)});
    const Role le{"le", "le"};
    for (const char* q : {"50", "90", "99"}) {
      out.push_back({std::string(rules::kLatencyByMethodRoute) + ":p" + q + "_5m",
                     std::string("histogram_quantile(0.") + q + ", " +
                         SumBy({method_, route_, le}, "rate(" + Own(Bucket()) + "[5m])") + ")"});
    }
    for (const char* q : {"50", "90", "99"}) {
      out.push_back({std::string(rules::kLatency) + ":p" + q + "_5m",
                     std::string("histogram_quantile(0.") + q + ", " +
                         SumBy({le}, "rate(" + Own(Bucket()) + "[5m])") + ")"});
    }
    out.push_back(
        {rules::kUserRequests, SumBy({user_}, "rate(" + Own(red_.per_user_metric) + "[5m])")});
    // Requests within each latency SLO threshold used by a monitor of this mapping, for exactly
    // the monitors with that threshold (the bucket differs per threshold, so this is the one
    // SLO input that cannot be shared across thresholds).
    // The threshold is also a static label of the rule: rules of one group must differ in name
    // or labels (promtool's duplicate-rule lint), and it says which bucket was read.
    for (milliseconds threshold : latency_thresholds_) {
      const std::string seconds = detail::FormatSeconds(threshold);
      const std::string fast = Own(Bucket(), {{"le", "=~", detail::LeRegex(threshold)}});
      out.push_back({rules::kSloFastRequests,
                     SumBy({}, "rate(" + fast + "[5m])") + "\nand on (" + names::kApiMonitorLabel +
                         ")\n" +
                         Selector(rules::kSloObjective,
                                  {{"slo", "=", "latency"}, {"slo_threshold", "=", seconds}}),
                     {{"slo_threshold", seconds}}});
    }
    return out;
  }

 private:
  std::string Own(std::string_view metric, std::vector<Matcher> extra = {}) const {
    std::vector<Matcher> matchers{{names::kRedMappingLabel, "=", mapping_}};
    for (auto& x : extra) matchers.push_back(std::move(x));
    return Selector(metric, matchers);
  }
  std::string Count() const { return red_.histogram_metric + "_count"; }
  std::string Bucket() const { return red_.histogram_metric + "_bucket"; }

  static std::string By(const std::vector<Role>& roles, bool mapped) {
    std::string out = "by (";
    out += names::kApiMonitorLabel;
    for (const Role& r : roles) {
      out += ", ";
      out += mapped ? r.mapped : std::string(r.canonical);
    }
    out += ')';
    return out;
  }

  // sum by (pulse_apimonitor, <roles>) (inner), with mapped label names renamed to the canonical
  // ones: aggregate by the app's names first (fewest series), copy each into its canonical name
  // with label_replace, then aggregate by the canonical names (dropping the app's). Validation
  // keeps a mapped name from being another role's canonical name, so the copies never clash.
  static std::string SumBy(const std::vector<Role>& roles, const std::string& inner) {
    std::string expr = "sum " + By(roles, true) + " (" + inner + ")";
    bool renamed = false;
    for (const Role& r : roles) {
      if (r.mapped == r.canonical) continue;
      expr = "label_replace(" + expr + ", " + PromQlQuoted(r.canonical) + ", \"$1\", " +
             PromQlQuoted(r.mapped) + ", \"(.*)\")";
      renamed = true;
    }
    if (renamed) expr = "sum " + By(roles, false) + " (" + expr + ")";
    return expr;
  }

  static std::string Ratio(const std::vector<Role>& roles, const std::string& errors,
                           const std::string& total) {
    const std::string e = SumBy(roles, "rate(" + errors + "[5m])");
    const std::string t = SumBy(roles, "rate(" + total + "[5m])");
    return "(\n  " + e + "\n  or\n  " + t + " * 0\n)\n/\n" + t;
  }

  const model::RedSpec& red_;
  const std::string mapping_;
  const std::vector<milliseconds> latency_thresholds_;
  const Role method_, route_, status_, user_;
};

std::string OnMonitor() { return std::string("on (") + names::kApiMonitorLabel + ")"; }

// The generic SLO ratios over the workbook windows, for every monitor with an SLO, from the
// recorded 5m rates: ratio over W = sum_over_time(bad[W]) / sum_over_time(all[W]), which weighs
// each 5m rate by its traffic like rate(...[W]) does, but reads one series per monitor.
std::string OverWindow(const char* series, std::string_view window) {
  if (window == "5m") return series;  // the 5m window is the recorded rate itself
  return "sum_over_time(" + std::string(series) + "[" + std::string(window) + "])";
}

std::vector<Recording> SloRecordings() {
  const std::string on = OnMonitor();
  std::vector<Recording> out;
  out.push_back({rules::kSloRequests,
                 std::string(rules::kRequests) + "\nand " + on + "\n" + rules::kSloObjective});
  out.push_back(
      {rules::kSloErrors, std::string(rules::kErrors) + "\nand " + on + "\n" +
                              Selector(rules::kSloObjective, {{"slo", "=", "availability"}})});
  for (const char* win : kSloWindows) {
    out.push_back(
        {std::string(rules::kSloAvailabilityErrorRatio) + ":rate" + win,
         OverWindow(rules::kSloErrors, win) + "\n/\n" + OverWindow(rules::kSloRequests, win)});
  }
  for (const char* win : kSloWindows) {
    out.push_back({std::string(rules::kSloLatencySlowRatio) + ":rate" + win,
                   "1 - (\n  " + OverWindow(rules::kSloFastRequests, win) +
                       "\n  / ignoring (slo_threshold)\n  " + OverWindow(rules::kSloRequests, win) +
                       "\n)"});
  }
  return out;
}

std::string UnlessDisabled() { return "unless " + OnMonitor() + "\n" + rules::kAlertsDisabled; }

// Both burn-rate alerts (page and ticket) of one SLO kind for every monitor whose SLO window is
// `window`: the ratio joins the monitor's objective series, so the threshold is per monitor.
void AppendBurnAlerts(std::vector<Alert>& out, const char* alert_name, const char* slo,
                      const char* ratio_prefix, milliseconds window) {
  const std::string window_text = model::FormatDuration(window);
  const std::string objective =
      Selector(rules::kSloObjective, {{"slo", "=", slo}, {"slo_window", "=", window_text}});
  for (const char* severity : {"page", "ticket"}) {
    std::string expr;
    for (const BurnWindow& bw : kBurnWindows) {
      if (std::string_view(bw.severity) != severity) continue;
      const std::string threshold = " > " + OnMonitor() + " group_left ()\n    (" +
                                    BurnFactor(bw, window) + " * (1 - " + objective + "))";
      if (!expr.empty()) expr += "\n  or\n";
      expr += "  (\n    " + std::string(ratio_prefix) + ":rate" + bw.long_window + threshold +
              "\n    and\n    " + ratio_prefix + ":rate" + bw.short_window + threshold + "\n  )";
    }
    Alert a;
    a.name = alert_name;
    a.expr = "(\n" + expr + "\n)\n" + UnlessDisabled();
    a.labels = {{"severity", severity}, {"slo", slo}};
    a.summary =
        std::string("{{ $labels.pulse_apimonitor }}: ") + slo + " error budget burning too fast";
    a.description =
        std::string("ApiMonitor {{ $labels.pulse_apimonitor }} is spending its ") + window_text +
        " " + slo + " error budget fast enough to need " +
        (std::string_view(severity) == "page" ? "immediate attention" : "attention within a day") +
        ".";
    out.push_back(std::move(a));
  }
}

// ---- ApiMonitor alerts of the catalogue (pulse/model/alerts.h) ----
//
// One shared rule per alert at the cluster-wide settings. A monitor that differs adds only a
// one-line series: its threshold (the shared rule compares against it, falling back to the
// cluster's constant), or a marker the shared rule skips it by. Only a monitor whose `for`,
// severity, extra labels or runbook differ gets a rule of its own (Prometheus cannot vary those
// per series), so what is rendered still grows with what differs, not with the monitor count.

struct ApiAlertKey {
  const char* key;
  const char* name;
};
constexpr ApiAlertKey kApiAlerts[] = {{"targetDown", alerts::kApiTargetDown},
                                      {"targetAbsent", alerts::kApiTargetAbsent},
                                      {"errorRatio", alerts::kApiHighErrorRatio},
                                      {"latencyP99", alerts::kApiHighLatency}};

model::EffectiveAlert ClusterApiAlert(const RenderOptions& o, std::string_view key) {
  return model::ResolveAlert(Def(model::AlertScope::kApiMonitor, key),
                             &o.alert_defaults.api_monitor, nullptr);
}
model::EffectiveAlert MonitorApiAlert(const model::ApiMonitor& m, const RenderOptions& o,
                                      std::string_view key) {
  return model::ResolveAlert(Def(model::AlertScope::kApiMonitor, key),
                             &o.alert_defaults.api_monitor, &m.spec.alerts);
}

// Whether the alert exists for this monitor at all: an SLO of a kind replaces the plain alert.
bool AppliesTo(const model::ApiMonitor& m, std::string_view key) {
  if (!m.spec.red.alerts) return false;
  if (key == "errorRatio") return !HasAvailabilitySlo(m.spec.red);
  if (key == "latencyP99") return !HasLatencySlo(m.spec.red);
  return true;
}

enum class Handling { kShared, kSharedThreshold, kOwn, kOff };

Handling HandlingOf(const model::EffectiveAlert& cluster, const model::EffectiveAlert& mine) {
  if (!mine.enabled) return Handling::kOff;
  if (!cluster.enabled || mine.for_ != cluster.for_ || mine.severity != cluster.severity ||
      mine.labels != cluster.labels || mine.runbook_url != cluster.runbook_url) {
    return Handling::kOwn;
  }
  // The absent window is a label of the monitor's expected series, so it never needs a rule.
  return mine.threshold != cluster.threshold ? Handling::kSharedThreshold : Handling::kShared;
}

Alert MakeApiAlert(const char* name, std::string expr, const model::EffectiveAlert& e,
                   std::vector<std::pair<std::string, std::string>> static_labels = {}) {
  Alert a;
  a.name = name;
  a.expr = std::move(expr);
  Decorate(a, e, std::move(static_labels));
  const std::string_view n = name;
  const std::string who = "ApiMonitor {{ $labels.pulse_apimonitor }}";
  if (n == alerts::kApiTargetDown) {
    a.summary = "{{ $labels.pulse_apimonitor }}: scrape target down";
    a.description = "Prometheus cannot scrape {{ $labels.instance }} of " + who + ".";
  } else if (n == alerts::kApiTargetAbsent) {
    a.summary = "{{ $labels.pulse_apimonitor }}: scrape job without targets";
    a.description = "Endpoint {{ $labels.pulse_endpoint }} of " + who +
                    " has no scrape target: no Service, port or address matches any more.";
  } else if (n == alerts::kApiHighErrorRatio) {
    a.summary = "{{ $labels.pulse_apimonitor }}: high 5xx ratio";
    a.description =
        "{{ $value | humanizePercentage }} of the requests to " + who + " fail with a 5xx status.";
  } else {
    a.summary = "{{ $labels.pulse_apimonitor }}: high p99 latency";
    a.description =
        "The 99th percentile latency of " + who + " is {{ $value | humanizeDuration }}.";
  }
  return a;
}

// The series each threshold alert compares, and the SLO kind that replaces it.
std::string ThresholdSeries(std::string_view key) {
  return key == "errorRatio" ? std::string(rules::kErrorRatio)
                             : std::string(rules::kLatency) + ":p99_5m";
}
const char* ReplacingSlo(std::string_view key) {
  return key == "errorRatio" ? "availability" : "latency";
}

// "unless on (pulse_apimonitor) (<first> or <alerts off> or <this alert off>)".
std::string SharedSkip(const char* alert_name, const std::string& first) {
  std::string parts;
  if (!first.empty()) parts += "  " + first + "\n  or\n";
  parts += std::string("  ") + rules::kAlertsDisabled + "\n  or\n  " +
           Selector(rules::kAlertGenericDisabled, {{"alert", "=", alert_name}});
  return "unless " + OnMonitor() + "\n(\n" + parts + "\n)";
}

// The shared ApiMonitor alerts and the burn-rate alerts.
std::vector<Alert> GenericAlerts(const RenderOptions& options,
                                 const std::set<milliseconds>& availability_windows,
                                 const std::set<milliseconds>& latency_windows,
                                 const std::set<milliseconds>& absent_windows) {
  const std::string on = OnMonitor();
  std::vector<Alert> out;
  if (const auto e = ClusterApiAlert(options, "targetDown"); e.enabled) {
    out.push_back(MakeApiAlert(alerts::kApiTargetDown,
                               Selector(names::kUp, {{names::kApiMonitorLabel, "!=", ""}}) +
                                   " == 0\n" + SharedSkip(alerts::kApiTargetDown, ""),
                               e));
  }
  // Only monitors with the shared absent alert write expected series, so no skip is needed.
  if (const auto e = ClusterApiAlert(options, "targetAbsent"); e.enabled) {
    for (milliseconds w : absent_windows) {
      const std::string window = model::FormatDuration(w);
      out.push_back(MakeApiAlert(
          alerts::kApiTargetAbsent,
          Selector(rules::kScrapeJobExpected, {{"absent_window", "=", window}}) + "\nunless on (" +
              names::kApiMonitorLabel + ", " + names::kEndpointLabel + ")\npresent_over_time(" +
              Selector(names::kUp, {{names::kApiMonitorLabel, "!=", ""}}) + "[" + window + "])",
          // The series carry the window too; as a rule label it keeps the rules of one group
          // distinct (promtool's duplicate-rule lint).
          e, {{"absent_window", window}}));
    }
  }
  for (const char* key : {"errorRatio", "latencyP99"}) {
    const auto e = ClusterApiAlert(options, key);
    if (!e.enabled) continue;
    const char* name = std::string_view(key) == "errorRatio" ? alerts::kApiHighErrorRatio
                                                             : alerts::kApiHighLatency;
    const std::string series = ThresholdSeries(key);
    out.push_back(MakeApiAlert(
        name,
        series + "\n> " + on + " group_left ()\n(\n  " +
            Selector(rules::kAlertThreshold, {{"alert", "=", name}}) + "\n  or " + on + "\n  " +
            series + " * 0 + " + FormatNumber(e.threshold) + "\n)\n" +
            SharedSkip(name, Selector(rules::kSloObjective, {{"slo", "=", ReplacingSlo(key)}})),
        e));
  }
  for (milliseconds w : availability_windows) {
    AppendBurnAlerts(out, alerts::kApiErrorBudgetBurn, "availability",
                     rules::kSloAvailabilityErrorRatio, w);
  }
  for (milliseconds w : latency_windows) {
    AppendBurnAlerts(out, alerts::kApiLatencyBudgetBurn, "latency", rules::kSloLatencySlowRatio, w);
  }
  return out;
}

// A recording of a constant with labels: the per-monitor series the generic rules join on.
Recording ConstantSeries(const char* record, const std::string& value,
                         std::vector<std::pair<std::string, std::string>> labels) {
  return {record, "vector(" + value + ")", std::move(labels)};
}

// What one monitor's own file holds, and the absent windows its expected series use.
struct MonitorRules {
  std::vector<Recording> recordings;
  std::vector<Alert> alerts;
  std::set<milliseconds> absent_windows;
};

// The alert of `k` as a rule of the monitor's own (its series only, its settings).
Alert OwnApiAlert(const model::ApiMonitor& m, const ApiAlertKey& k,
                  const model::EffectiveAlert& e) {
  const std::string key = ObjectKey(m.metadata);
  const std::string_view which = k.key;
  std::string expr;
  if (which == "targetDown") {
    expr = Selector(names::kUp, {{names::kApiMonitorLabel, "=", key}}) + " == 0";
  } else if (which == "targetAbsent") {
    for (std::size_t i = 0; i < m.spec.endpoints.size(); ++i) {
      if (!expr.empty()) expr += "\nor\n";
      expr += "absent_over_time(" +
              Selector(names::kUp, {{names::kApiMonitorLabel, "=", key},
                                    {names::kEndpointLabel, "=", std::to_string(i)}}) +
              "[" + model::FormatDuration(AbsentWindow(e, m.spec.endpoints[i].interval)) + "])";
    }
  } else {
    expr = Selector(ThresholdSeries(which), {{names::kApiMonitorLabel, "=", key}}) + " > " +
           FormatNumber(e.threshold);
  }
  return MakeApiAlert(k.name, std::move(expr), e);
}

MonitorRules OwnMonitorRules(const model::ApiMonitor& m, const RenderOptions& options) {
  const model::RedSpec& red = m.spec.red;
  const std::string key = ObjectKey(m.metadata);
  MonitorRules out;
  auto& rec = out.recordings;
  if (HasAvailabilitySlo(red)) {
    rec.push_back(ConstantSeries(rules::kSloObjective,
                                 PercentAsRatio(*red.slo->availability_objective),
                                 {{names::kApiMonitorLabel, key},
                                  {"slo", "availability"},
                                  {"slo_window", SloWindowText(red)}}));
  }
  if (HasLatencySlo(red)) {
    rec.push_back(
        ConstantSeries(rules::kSloObjective, PercentAsRatio(*red.slo->latency_objective),
                       {{names::kApiMonitorLabel, key},
                        {"slo", "latency"},
                        {"slo_threshold", detail::FormatSeconds(red.slo->latency_threshold->value)},
                        {"slo_window", SloWindowText(red)}}));
  }
  if (!red.alerts) {
    rec.push_back(ConstantSeries(rules::kAlertsDisabled, "1", {{names::kApiMonitorLabel, key}}));
    return out;
  }
  for (const ApiAlertKey& k : kApiAlerts) {
    if (!AppliesTo(m, k.key)) continue;
    const model::EffectiveAlert cluster = ClusterApiAlert(options, k.key);
    const model::EffectiveAlert mine = MonitorApiAlert(m, options, k.key);
    const Handling h = HandlingOf(cluster, mine);
    const bool absent = std::string_view(k.key) == "targetAbsent";
    if ((h == Handling::kOff || h == Handling::kOwn) && cluster.enabled && !absent) {
      rec.push_back(ConstantSeries(rules::kAlertGenericDisabled, "1",
                                   {{names::kApiMonitorLabel, key}, {"alert", k.name}}));
    }
    if (h == Handling::kOwn) out.alerts.push_back(OwnApiAlert(m, k, mine));
    if (h == Handling::kSharedThreshold && !absent) {
      rec.push_back(ConstantSeries(rules::kAlertThreshold, FormatNumber(mine.threshold),
                                   {{names::kApiMonitorLabel, key}, {"alert", k.name}}));
    }
    if (absent && (h == Handling::kShared || h == Handling::kSharedThreshold)) {
      for (std::size_t i = 0; i < m.spec.endpoints.size(); ++i) {
        const milliseconds w = AbsentWindow(mine, m.spec.endpoints[i].interval);
        out.absent_windows.insert(w);
        rec.push_back(ConstantSeries(rules::kScrapeJobExpected, "1",
                                     {{names::kApiMonitorLabel, key},
                                      {names::kEndpointLabel, std::to_string(i)},
                                      {"scrape_job", model::ScrapeJobName(m, i)},
                                      {"absent_window", model::FormatDuration(w)}}));
      }
    }
  }
  return out;
}

std::string SingleGroupFile(const std::string& group, const std::vector<Recording>& recordings,
                            const std::vector<Alert>& alerts) {
  YamlWriter w;
  w.BeginMap();
  w.Key("groups");
  w.BeginSeq();
  WriteGroup(w, group, recordings, alerts);
  w.EndSeq();
  w.EndMap();
  return w.Take();
}

// ---------------------------------------------------------------------------------------------
// Exporter

std::vector<Alert> ExporterAlerts(const model::Exporter& e, const RenderOptions& options) {
  const std::string key = ObjectKey(e.metadata);
  const std::vector<Matcher> own{{names::kExporterLabel, "=", key}};
  const std::string subject =
      std::string("Exporter ") + key + " (" + model::ExporterTypeName(e.spec.type) + ")";
  std::vector<Alert> out;
  // The resolved settings of alert `k`, or nothing when switched off.
  auto settings = [&](std::string_view k) -> std::optional<model::EffectiveAlert> {
    model::EffectiveAlert s = model::ResolveAlert(Def(model::AlertScope::kExporter, k),
                                                  &options.alert_defaults.exporter, &e.spec.alerts);
    if (!s.enabled) return std::nullopt;
    return s;
  };
  auto add = [&](const char* name, std::string expr, const model::EffectiveAlert& s,
                 std::string summary, std::string description) {
    Alert a;
    a.name = name;
    a.expr = std::move(expr);
    Decorate(a, s);
    a.summary = std::move(summary);
    a.description = std::move(description);
    out.push_back(std::move(a));
  };
  if (const auto s = settings("exporterDown")) {
    add(alerts::kExporterDown, Selector(names::kUp, own) + " == 0", *s,
        subject + ": pulse-exporter down",
        "Prometheus cannot scrape pulse-exporter {{ $labels.instance }} of " + subject + ".");
  }
  if (const auto s = settings("exporterAbsent")) {
    const std::string window = model::FormatDuration(AbsentWindow(*s, e.spec.interval));
    add(alerts::kExporterAbsent,
        "absent_over_time(" + Selector(names::kUp, own) + "[" + window + "])", *s,
        subject + ": no pulse-exporter target",
        "Prometheus has found no pulse-exporter target of " + subject + " for " + window +
            ": its Service has no ready endpoint.");
  }
  if (const auto s = settings("targetDown")) {
    add(alerts::kExporterTargetDown, Selector(names::kExporterTargetUp, own) + " == 0", *s,
        subject + ": monitored system unreachable",
        "pulse-exporter cannot refresh target {{ $labels.target }} of " + subject +
            "; its metrics are getting stale.");
  }
  switch (e.spec.type) {
    case model::ExporterType::kRabbitMq:
      if (const auto s = settings("deadLetterGrowth")) {
        add(alerts::kRabbitMqDeadLetterGrowing,
            "delta(" + Selector(names::kRabbitDeadLetterQueueMessages, own) + "[" +
                DurationText(s->window) + "]) > " + FormatNumber(s->threshold),
            *s, subject + ": dead-letter queue growing",
            "Dead-letter queue {{ $labels.queue }} in vhost {{ $labels.vhost }} keeps growing: "
            "messages are being rejected or expiring.");
      }
      if (const auto s = settings("inFlightBacklog")) {
        add(alerts::kRabbitMqInFlightBacklog,
            Selector(names::kRabbitQueueUnacked, own) + " > " + FormatNumber(s->threshold), *s,
            subject + ": in-flight backlog",
            "Queue {{ $labels.queue }} in vhost {{ $labels.vhost }} has more than " +
                FormatNumber(s->threshold) +
                " delivered but unacknowledged messages: consumers are stuck or too slow.");
      }
      break;
    case model::ExporterType::kPostgreSql:
      if (const auto s = settings("connectionsNearMax")) {
        add(alerts::kPostgresConnectionsNearMax,
            "sum without (database, state) (" + Selector(names::kPgConnections, own) + ")\n/\n" +
                Selector(names::kPgMaxConnections, own) + "\n> " + FormatNumber(s->threshold),
            *s, subject + ": connections near max_connections",
            "PostgreSQL target {{ $labels.target }} uses more than " +
                FormatNumber(s->threshold * 100) + "% of max_connections.");
      }
      [[fallthrough]];
    case model::ExporterType::kS3: {
      const auto s = settings("sizeGrowth");
      if (!s) break;
      const bool pg = e.spec.type == model::ExporterType::kPostgreSql;
      const std::string size = Selector(pg ? names::kPgDatabaseSize : names::kS3BucketSize, own);
      const std::string ago = size + " offset " + DurationText(s->window);
      add(pg ? alerts::kPostgresDatabaseGrowth : alerts::kS3BucketGrowth,
          "(" + size + " - " + ago + ")\n/\n" + ago + "\n> " + FormatNumber(s->threshold), *s,
          subject + (pg ? ": database growing fast" : ": bucket growing fast"),
          std::string(pg ? "Database {{ $labels.database }}" : "Bucket {{ $labels.bucket }}") +
              " grew by more than " + FormatNumber(s->threshold * 100) + "% within " +
              DurationText(s->window) + ".");
      break;
    }
  }
  return out;
}

}  // namespace

std::string RedMappingName(const model::RedSpec& red) {
  const model::RedSpec defaults;
  const std::string identity = red.histogram_metric + "\n" + red.method_label + "\n" +
                               red.route_label + "\n" + red.status_label + "\n" +
                               red.per_user_metric + "\n" + red.user_label;
  const std::string default_identity = defaults.histogram_metric + "\n" + defaults.method_label +
                                       "\n" + defaults.route_label + "\n" + defaults.status_label +
                                       "\n" + defaults.per_user_metric + "\n" + defaults.user_label;
  if (identity == default_identity) return kDefaultRedMapping;
  std::string readable;
  for (char c : red.histogram_metric.substr(0, 40)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    readable += ok ? c : '_';
  }
  return readable + "-" + detail::HexPrefix(detail::Fnv1a64(identity), 12);
}

namespace {
std::string MonitorFile(const model::ApiMonitor& monitor, const MonitorRules& own) {
  if (own.recordings.empty() && own.alerts.empty()) return "";
  return SingleGroupFile("pulse/apimonitor/" + ObjectKey(monitor.metadata), own.recordings,
                         own.alerts);
}
}  // namespace

std::string RenderApiMonitorRules(const model::ApiMonitor& monitor, const RenderOptions& options) {
  return MonitorFile(monitor, OwnMonitorRules(monitor, options));
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
  struct Mapping {
    const model::RedSpec* red = nullptr;  // of the first monitor (by namespace/name)
    std::set<milliseconds> latency_thresholds;
  };
  std::map<std::string, Mapping> mappings;
  bool any_slo = false;
  bool any_alerts = false;
  std::set<milliseconds> availability_windows, latency_windows, absent_windows;
  for (const model::ApiMonitor* m : detail::SortedApiMonitors(inputs)) {
    const model::RedSpec& red = m->spec.red;
    Mapping& mapping = mappings[RedMappingName(red)];
    if (mapping.red == nullptr) mapping.red = &red;
    if (HasLatencySlo(red)) mapping.latency_thresholds.insert(red.slo->latency_threshold->value);
    any_slo = any_slo || HasAvailabilitySlo(red) || HasLatencySlo(red);
    any_alerts = any_alerts || red.alerts;
    if (red.alerts && HasAvailabilitySlo(red)) availability_windows.insert(red.slo->window.value);
    if (red.alerts && HasLatencySlo(red)) latency_windows.insert(red.slo->window.value);
    const MonitorRules own_rules = OwnMonitorRules(*m, inputs.options);
    absent_windows.insert(own_rules.absent_windows.begin(), own_rules.absent_windows.end());
    std::string own = MonitorFile(*m, own_rules);
    if (!own.empty()) {
      out.push_back(
          {"rules/" + detail::FileStem("apimonitor", m->metadata) + ".yaml", std::move(own)});
    }
  }
  for (const auto& [name, mapping] : mappings) {
    RedMappingRules rules(*mapping.red, name,
                          {mapping.latency_thresholds.begin(), mapping.latency_thresholds.end()});
    out.push_back({"rules/apimonitors-red-" + name + ".yaml",
                   SingleGroupFile("pulse/red/" + name, rules.Recordings(), {})});
  }
  if (any_slo) {
    out.push_back(
        {"rules/apimonitors-slo.yaml", SingleGroupFile("pulse/slo", SloRecordings(), {})});
  }
  if (any_alerts) {
    out.push_back({"rules/apimonitors-alerts.yaml",
                   SingleGroupFile("pulse/alerts", {},
                                   GenericAlerts(inputs.options, availability_windows,
                                                 latency_windows, absent_windows))});
  }
  for (const model::Exporter* e : detail::SortedExporters(inputs)) {
    out.push_back({"rules/" + detail::FileStem("exporter", e->metadata) + ".yaml",
                   RenderExporterRules(*e, inputs.options)});
  }
  std::sort(out.begin(), out.end(),
            [](const RenderedFile& a, const RenderedFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace pulse::render
