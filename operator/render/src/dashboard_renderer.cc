#include "pulse/render/dashboard_renderer.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "pulse/render/json_writer.h"
#include "pulse/render/metric_names.h"
#include "pulse/render/rules_renderer.h"
#include "render_common.h"

namespace pulse::render {
namespace {

using detail::Matcher;
using detail::ObjectKey;
using detail::Selector;

// Grafana's rate window variable: at least four scrape intervals of the data source.
constexpr const char* kRate = "[$__rate_interval]";
constexpr int kSchemaVersion = 39;

struct Target {
  std::string expr;
  std::string legend;  // legendFormat, "" = Grafana's default
};

struct Panel {
  std::string type = "timeseries";  // "timeseries" or "stat"
  std::string title;
  std::string description;
  std::string unit;  // Grafana unit id: "reqps", "percentunit", "s", "bytes", "short", ...
  std::vector<Target> targets;
  int width = 12;
  int height = 8;
};

// A Grafana query variable over the Prometheus data source (label_values(...)).
struct Variable {
  std::string name;
  std::string label;
  std::string query;
  std::string regex;  // "" = the values as they are
};

// Lays panels out left to right in rows of Grafana's 24 columns and writes the dashboard.
class DashboardBuilder {
 public:
  DashboardBuilder(std::string title, std::string uid, std::vector<std::string> tags,
                   std::string description)
      : title_(std::move(title)),
        uid_(std::move(uid)),
        tags_(std::move(tags)),
        description_(std::move(description)) {}

  void AddVariable(Variable v) { variables_.push_back(std::move(v)); }

  void Row(std::string title) {
    NewLine();
    items_.push_back(Item{true, Panel{"row", std::move(title), "", "", {}, 24, 1}, 0, y_});
    y_ += 1;
  }

  void Add(Panel panel) {
    if (x_ + panel.width > 24) NewLine();
    const int x = x_;
    x_ += panel.width;
    line_height_ = std::max(line_height_, panel.height);
    items_.push_back(Item{false, std::move(panel), x, y_});
  }

  std::string Json() const {
    JsonWriter w;
    w.BeginObject();
    w.Key("annotations");
    w.BeginObject();
    w.Key("list");
    w.BeginArray();
    w.EndArray();
    w.EndObject();
    w.Field("description", description_);
    w.Field("editable", true);
    w.Field("graphTooltip", 1);  // shared crosshair
    // Fields Grafana's dashboard schema requires are written even at Grafana's default value
    // (icon, targetBlank, tooltip here; legend calcs and the stat options below), so every
    // dashboard passes the schema check (tools/dashboard-check) unchanged.
    w.Key("links");
    w.BeginArray();
    w.BeginObject();
    w.Field("asDropdown", true);
    w.Field("icon", "external link");
    w.Field("includeVars", true);
    w.Field("keepTime", true);
    w.Key("tags");
    w.BeginArray();
    w.String("pulse");
    w.EndArray();
    w.Field("targetBlank", false);
    w.Field("title", "pulse dashboards");
    w.Field("tooltip", "");
    w.Field("type", "dashboards");
    w.EndObject();
    w.EndArray();
    w.Key("panels");
    w.BeginArray();
    int id = 1;
    for (const Item& item : items_) WritePanel(w, item, id++);
    w.EndArray();
    w.Field("refresh", "30s");
    w.Field("schemaVersion", kSchemaVersion);
    w.Key("tags");
    w.BeginArray();
    for (const auto& t : tags_) w.String(t);
    w.EndArray();
    w.Key("templating");
    w.BeginObject();
    w.Key("list");
    w.BeginArray();
    // No "current" on variables: the schema requires text and value when present, and without
    // it Grafana selects the first value, the same as the empty object did.
    w.BeginObject();  // the data source variable every panel uses
    w.Field("hide", 0);
    w.Field("includeAll", false);
    w.Field("label", "Data source");
    w.Field("multi", false);
    w.Field("name", "datasource");
    w.Key("options");
    w.BeginArray();
    w.EndArray();
    w.Field("query", "prometheus");
    w.Field("refresh", 1);
    w.Field("regex", "");
    w.Field("type", "datasource");
    w.EndObject();
    for (const Variable& v : variables_) WriteVariable(w, v);
    w.EndArray();
    w.EndObject();
    w.Key("time");
    w.BeginObject();
    w.Field("from", "now-1h");
    w.Field("to", "now");
    w.EndObject();
    w.Key("timepicker");
    w.BeginObject();
    w.EndObject();
    w.Field("timezone", "");
    w.Field("title", title_);
    w.Field("uid", uid_);
    w.Field("version", 1);
    w.EndObject();
    return w.Take();
  }

 private:
  struct Item {
    bool is_row;
    Panel panel;
    int x;
    int y;
  };

  void NewLine() {
    if (x_ > 0) y_ += line_height_;
    x_ = 0;
    line_height_ = 0;
  }

  // Refreshed on time-range change (2), so APIs that appear later show up without a reload.
  static void WriteVariable(JsonWriter& w, const Variable& v) {
    w.BeginObject();
    WriteDatasource(w);
    w.Field("definition", v.query);
    w.Field("hide", 0);
    w.Field("includeAll", false);
    w.Field("label", v.label);
    w.Field("multi", false);
    w.Field("name", v.name);
    w.Key("options");
    w.BeginArray();
    w.EndArray();
    w.Key("query");
    w.BeginObject();
    w.Field("query", v.query);
    w.Field("refId", "PrometheusVariableQueryEditor-VariableQuery");
    w.EndObject();
    w.Field("refresh", 2);
    w.Field("regex", v.regex);
    w.Field("skipUrlSync", false);
    w.Field("sort", 1);
    w.Field("type", "query");
    w.EndObject();
  }

  static void WriteDatasource(JsonWriter& w) {
    w.Key("datasource");
    w.BeginObject();
    w.Field("type", "prometheus");
    w.Field("uid", "${datasource}");
    w.EndObject();
  }

  static void WritePanel(JsonWriter& w, const Item& item, int id) {
    const Panel& p = item.panel;
    w.BeginObject();
    if (item.is_row) {
      w.Field("collapsed", false);
      WriteGridPos(w, item);
      w.Field("id", id);
      w.Key("panels");
      w.BeginArray();
      w.EndArray();
      w.Field("title", p.title);
      w.Field("type", "row");
      w.EndObject();
      return;
    }
    WriteDatasource(w);
    if (!p.description.empty()) w.Field("description", p.description);
    w.Key("fieldConfig");
    w.BeginObject();
    w.Key("defaults");
    w.BeginObject();
    if (p.type == "timeseries") {
      w.Key("custom");
      w.BeginObject();
      w.Field("fillOpacity", 10);
      w.Field("lineWidth", 1);
      w.Field("showPoints", "never");
      w.EndObject();
    }
    w.Field("unit", p.unit.empty() ? "short" : p.unit);
    w.EndObject();
    w.Key("overrides");
    w.BeginArray();
    w.EndArray();
    w.EndObject();
    WriteGridPos(w, item);
    w.Field("id", id);
    w.Key("options");
    w.BeginObject();
    if (p.type == "timeseries") {
      w.Key("legend");
      w.BeginObject();
      w.Key("calcs");
      w.BeginArray();
      w.EndArray();
      w.Field("displayMode", "list");
      w.Field("placement", "bottom");
      w.Field("showLegend", true);
      w.EndObject();
      w.Key("tooltip");
      w.BeginObject();
      w.Field("mode", "multi");
      w.Field("sort", "desc");
      w.EndObject();
    } else {
      w.Field("colorMode", "value");
      w.Field("graphMode", "area");
      w.Field("justifyMode", "auto");
      w.Field("orientation", "auto");
      w.Field("percentChangeColorMode", "standard");
      w.Key("reduceOptions");
      w.BeginObject();
      w.Key("calcs");
      w.BeginArray();
      w.String("lastNotNull");
      w.EndArray();
      w.Field("fields", "");
      w.Field("values", false);
      w.EndObject();
      w.Field("showPercentChange", false);
      w.Field("textMode", "auto");
      w.Field("wideLayout", true);
    }
    w.EndObject();
    w.Key("targets");
    w.BeginArray();
    char ref = 'A';
    for (const Target& t : p.targets) {
      w.BeginObject();
      WriteDatasource(w);
      w.Field("expr", t.expr);
      if (p.type == "stat") w.Field("instant", true);
      if (!t.legend.empty()) w.Field("legendFormat", t.legend);
      w.Field("range", p.type != "stat");
      w.Field("refId", std::string(1, ref++));
      w.EndObject();
    }
    w.EndArray();
    w.Field("title", p.title);
    w.Field("type", p.type);
    w.EndObject();
  }

  static void WriteGridPos(JsonWriter& w, const Item& item) {
    w.Key("gridPos");
    w.BeginObject();
    w.Field("h", item.panel.height);
    w.Field("w", item.panel.width);
    w.Field("x", item.x);
    w.Field("y", item.y);
    w.EndObject();
  }

  std::string title_;
  std::string uid_;
  std::vector<std::string> tags_;
  std::string description_;
  std::vector<Variable> variables_;
  std::vector<Item> items_;
  int x_ = 0;
  int y_ = 0;
  int line_height_ = 0;
};

std::string Legend(std::initializer_list<std::string_view> labels) {
  std::string out;
  for (std::string_view l : labels) {
    if (!out.empty()) out += ' ';
    out += "{{";
    out += l;
    out += "}}";
  }
  return out;
}

std::string RateOf(const std::string& selector) { return "rate(" + selector + kRate + ")"; }

}  // namespace

std::string DashboardUid(std::string_view kind, std::string_view namespace_,
                         std::string_view name) {
  std::string identity;
  identity.reserve(kind.size() + namespace_.size() + name.size() + 2);
  identity.append(kind).append("/").append(namespace_).append("/").append(name);
  return std::string(kind == "Exporter" ? "pulse-exp-" : "pulse-api-") +
         detail::HexPrefix(detail::Fnv1a64(identity), 12);
}

std::string RenderApiMonitorDashboard(const model::ApiMonitor& m, const RenderOptions&) {
  const model::RedSpec& red = m.spec.red;
  const std::string key = ObjectKey(m.metadata);
  const std::string service = red.service_name.empty() ? m.metadata.name : red.service_name;
  const std::string& M = red.method_label;
  const std::string& R = red.route_label;
  const std::string& S = red.status_label;
  const std::string& U = red.user_label;
  auto own = [&](std::string_view metric, std::vector<Matcher> extra = {}) {
    std::vector<Matcher> matchers{{names::kApiMonitorLabel, "=", key}};
    for (auto& x : extra) matchers.push_back(std::move(x));
    return Selector(metric, matchers);
  };
  const std::string count = red.histogram_metric + "_count";
  const std::string bucket = red.histogram_metric + "_bucket";

  DashboardBuilder d(service + " — RED",
                     DashboardUid("ApiMonitor", m.metadata.namespace_, m.metadata.name),
                     {"pulse", "red", "apimonitor"},
                     "Rate, errors and duration of " + service + " (ApiMonitor " + key +
                         "), generated by pulse-operator; edits are overwritten.");

  d.Row("Traffic");
  d.Add({"timeseries",
         "Requests per second by method and status",
         "",
         "reqps",
         {{"sum by (" + M + ", " + S + ") (" + RateOf(own(count)) + ")", Legend({M, S})}}});
  d.Add({"timeseries",
         "HTTP 200 vs 500 per second",
         "",
         "reqps",
         {{"sum(" + RateOf(own(count, {{S, "=", "200"}})) + ")", "200"},
          {"sum(" + RateOf(own(count, {{S, "=", "500"}})) + ")", "500"}}});
  d.Add({"stat",
         "HTTP 200 in range",
         "",
         "short",
         {{"sum(increase(" + own(count, {{S, "=", "200"}}) + "[$__range]))", ""}},
         6,
         4});
  d.Add({"stat",
         "HTTP 500 in range",
         "",
         "short",
         {{"sum(increase(" + own(count, {{S, "=", "500"}}) + "[$__range]))", ""}},
         6,
         4});
  d.Add({"stat",
         "Requests per second",
         "",
         "reqps",
         {{"sum(" + RateOf(own(count)) + ")", ""}},
         6,
         4});
  d.Add({"stat",
         "Error ratio (5xx)",
         "",
         "percentunit",
         {{"sum(" + RateOf(own(count, {{S, "=~", "5.."}})) + ") / sum(" + RateOf(own(count)) + ")",
           ""}},
         6,
         4});
  d.Add({"timeseries",
         "Error ratio (5xx) by route",
         "Share of requests answered with a 5xx status.",
         "percentunit",
         {{"sum by (" + R + ") (" + RateOf(own(count, {{S, "=~", "5.."}})) + ")\n/\nsum by (" + R +
               ") (" + RateOf(own(count)) + ")",
           Legend({R})}}});
  d.Add({"timeseries",
         "Requests per second by route",
         "",
         "reqps",
         {{"sum by (" + R + ") (" + RateOf(own(count)) + ")", Legend({R})}}});

  d.Row("Latency");
  std::vector<Target> quantiles;
  for (const auto& [q, legend] : {std::pair{"0.5", "p50"}, {"0.9", "p90"}, {"0.99", "p99"}}) {
    quantiles.push_back(
        {std::string("histogram_quantile(") + q + ", sum by (le) (" + RateOf(own(bucket)) + "))",
         legend});
  }
  d.Add({"timeseries", "Latency p50 / p90 / p99", "", "s", quantiles});
  d.Add({"timeseries",
         "Latency p99 by method and route",
         "",
         "s",
         {{"histogram_quantile(0.99, sum by (" + M + ", " + R + ", le) (" + RateOf(own(bucket)) +
               "))",
           Legend({M, R})}}});

  d.Row("Users");
  d.Add({"timeseries",
         "Top users by requests per second",
         "The API's top-K users (pulse-red heavy hitters); everyone else is " +
             std::string(names::kOtherUser) + ".",
         "reqps",
         {{"topk(10, sum by (" + U + ") (" +
               RateOf(own(red.per_user_metric, {{U, "!=", names::kOtherUser}})) + "))",
           Legend({U})},
          {"sum(" + RateOf(own(red.per_user_metric, {{U, "=", names::kOtherUser}})) + ")",
           names::kOtherUser}}});

  d.Row("Resources");
  d.Add({"timeseries",
         "CPU % (of one core)",
         "",
         "percent",
         {{"sum by (instance) (" + RateOf(own(names::kProcessCpuSeconds)) + ") * 100",
           Legend({"instance"})}}});
  d.Add(
      {"timeseries",
       "Resident memory",
       "",
       "bytes",
       {{"sum by (instance) (" + own(names::kProcessResidentMemory) + ")", Legend({"instance"})}}});

  d.Row("Redis calls");
  const std::string redis_count = std::string(names::kRedisCommandDuration) + "_count";
  const std::string redis_bucket = std::string(names::kRedisCommandDuration) + "_bucket";
  d.Add({"timeseries",
         "Redis calls per second by command",
         "",
         "ops",
         {{"sum by (" + std::string(names::kRedisCommandLabel) + ") (" + RateOf(own(redis_count)) +
               ")",
           Legend({names::kRedisCommandLabel})}},
         8});
  d.Add({"timeseries",
         "Redis errors per second",
         "",
         "ops",
         {{"sum by (" + std::string(names::kRedisCommandLabel) + ", " +
               names::kRedisErrorTypeLabel + ") (" + RateOf(own(names::kRedisCommandErrors)) + ")",
           Legend({names::kRedisCommandLabel, names::kRedisErrorTypeLabel})}},
         8});
  d.Add({"timeseries",
         "Redis latency p50 / p99",
         "",
         "s",
         {{"histogram_quantile(0.5, sum by (le) (" + RateOf(own(redis_bucket)) + "))", "p50"},
          {"histogram_quantile(0.99, sum by (le) (" + RateOf(own(redis_bucket)) + "))", "p99"}},
         8});
  return d.Json();
}

std::string RenderExporterDashboard(const model::Exporter& e, const RenderOptions&) {
  const std::string key = ObjectKey(e.metadata);
  const std::string type = model::ExporterTypeName(e.spec.type);
  auto own = [&](std::string_view metric) {
    return Selector(metric, {{names::kExporterLabel, "=", key}});
  };
  DashboardBuilder d(e.metadata.name + " — " + type,
                     DashboardUid("Exporter", e.metadata.namespace_, e.metadata.name),
                     {"pulse", "exporter", type},
                     "Infrastructure metrics of Exporter " + key + " (" + type +
                         "), generated by pulse-operator; edits are overwritten.");
  d.Row("Exporter");
  d.Add({"stat",
         "Exporter scraped (up)",
         "",
         "short",
         {{own(names::kUp), Legend({"instance"})}},
         8,
         4});
  d.Add({"stat",
         "Target reachable",
         "1 when pulse-exporter's last refresh succeeded.",
         "short",
         {{own(names::kExporterTargetUp), Legend({"target"})}},
         8,
         4});
  d.Add({"stat",
         "Age of served data",
         "",
         "s",
         {{own(names::kExporterDataAge), Legend({"target"})}},
         8,
         4});
  switch (e.spec.type) {
    case model::ExporterType::kRabbitMq:
      d.Row("RabbitMQ");
      d.Add({"timeseries",
             "Dead-letter messages by queue",
             "",
             "short",
             {{"sum by (vhost, queue) (" + own(names::kRabbitDeadLetterQueueMessages) + ")",
               Legend({"vhost", "queue"})},
              {"sum(" + own(names::kRabbitDeadLetterMessages) + ")", "total"}}});
      d.Add({"timeseries",
             "In-flight (unacknowledged) messages",
             "",
             "short",
             {{"topk(20, sum by (vhost, queue) (" + own(names::kRabbitQueueUnacked) + "))",
               Legend({"vhost", "queue"})},
              {"sum(" + own(names::kRabbitUnacked) + ")", "total"}}});
      d.Add({"timeseries",
             "Ready messages (top 20 queues)",
             "",
             "short",
             {{"topk(20, sum by (vhost, queue) (" + own(names::kRabbitQueueReady) + "))",
               Legend({"vhost", "queue"})}}});
      d.Add({"timeseries",
             "Consumers (top 20 queues)",
             "",
             "short",
             {{"topk(20, sum by (vhost, queue) (" + own(names::kRabbitQueueConsumers) + "))",
               Legend({"vhost", "queue"})}}});
      break;
    case model::ExporterType::kPostgreSql:
      d.Row("PostgreSQL");
      d.Add({"timeseries",
             "Database size",
             "",
             "bytes",
             {{"sum by (database) (" + own(names::kPgDatabaseSize) + ")", Legend({"database"})}}});
      d.Add({"timeseries",
             "Connections by state",
             "",
             "short",
             {{"sum by (state) (" + own(names::kPgConnections) + ")", Legend({"state"})},
              {"max(" + own(names::kPgMaxConnections) + ")", "max_connections"}}});
      d.Add({"timeseries",
             "Connections by database",
             "",
             "short",
             {{"sum by (database) (" + own(names::kPgConnections) + ")", Legend({"database"})}}});
      d.Add({"timeseries",
             "Shared buffers: size and used",
             "",
             "bytes",
             {{"max(" + own(names::kPgSharedBuffers) + ")", "shared_buffers"},
              {"max(" + own(names::kPgSharedBuffersUsed) + ")", "used"}}});
      break;
    case model::ExporterType::kS3:
      d.Row("S3");
      d.Add({"timeseries",
             "Bucket size",
             "",
             "bytes",
             {{"sum by (bucket, prefix) (" + own(names::kS3BucketSize) + ")",
               Legend({"bucket", "prefix"})}}});
      d.Add({"timeseries",
             "Objects per bucket",
             "",
             "short",
             {{"sum by (bucket, prefix) (" + own(names::kS3BucketObjects) + ")",
               Legend({"bucket", "prefix"})}}});
      break;
  }
  return d.Json();
}

std::string RenderRedDashboard(const RenderOptions&) {
  const std::string api = names::kApiMonitorLabel;
  const std::string M = names::kMethodLabel;
  const std::string R = names::kRouteLabel;
  const std::string S = names::kStatusLabel;
  const std::string U = names::kUserLabel;
  // Every query selects the chosen API's recorded series; the recording rules already renamed
  // each app's own label names to these canonical ones, so one dashboard fits every mapping.
  auto own = [&](std::string_view metric, std::vector<Matcher> extra = {}) {
    std::vector<Matcher> matchers{{api, "=", "$api"}};
    for (auto& x : extra) matchers.push_back(std::move(x));
    return Selector(metric, matchers);
  };
  const std::string by_status = rules::kRequestsByMethodRouteStatus;
  DashboardBuilder d("pulse — RED by API", kRedDashboardUid, {"pulse", "red"},
                     "Rate, errors and duration of one API (pick namespace and API above), from "
                     "the shared recording rules pulse-operator generates; edits are "
                     "overwritten.");
  d.AddVariable({"namespace", "Namespace",
                 "label_values(" + std::string(rules::kRequests) + ", " + api + ")",
                 "/^([^/]+)\\/.*/"});
  d.AddVariable({"api", "API",
                 "label_values(" + Selector(rules::kRequests, {{api, "=~", "$namespace/.*"}}) +
                     ", " + api + ")",
                 ""});

  d.Row("Traffic");
  d.Add({"timeseries",
         "Requests per second by method and status",
         "",
         "reqps",
         {{"sum by (" + M + ", " + S + ") (" + own(by_status) + ")", Legend({M, S})}}});
  d.Add({"timeseries",
         "HTTP 200 vs 500 per second",
         "",
         "reqps",
         {{"sum(" + own(by_status, {{S, "=", "200"}}) + ")", "200"},
          {"sum(" + own(by_status, {{S, "=", "500"}}) + ")", "500"}}});
  const std::string in_range =
      "Average of the 5m request rate over the time range times its length.";
  d.Add({"stat",
         "HTTP 200 in range",
         in_range,
         "short",
         {{"sum(avg_over_time(" + own(by_status, {{S, "=", "200"}}) + "[$__range])) * $__range_s",
           ""}},
         6,
         4});
  d.Add({"stat",
         "HTTP 500 in range",
         in_range,
         "short",
         {{"sum(avg_over_time(" + own(by_status, {{S, "=", "500"}}) + "[$__range])) * $__range_s",
           ""}},
         6,
         4});
  d.Add({"stat",
         "Requests per second",
         "",
         "reqps",
         {{"sum(" + own(rules::kRequests) + ")", ""}},
         6,
         4});
  d.Add({"stat",
         "Error ratio (5xx)",
         "",
         "percentunit",
         {{"max(" + own(rules::kErrorRatio) + ")", ""}},
         6,
         4});
  d.Add({"timeseries",
         "Error ratio (5xx) by method and route",
         "Share of requests answered with a 5xx status.",
         "percentunit",
         {{own(rules::kErrorRatioByMethodRoute), Legend({M, R})}}});
  d.Add({"timeseries",
         "Requests per second by route",
         "",
         "reqps",
         {{"sum by (" + R + ") (" + own(by_status) + ")", Legend({R})}}});

  d.Row("Latency");
  std::vector<Target> quantiles;
  for (const char* q : {"50", "90", "99"}) {
    quantiles.push_back(
        {own(std::string(rules::kLatency) + ":p" + q + "_5m"), std::string("p") + q});
  }
  d.Add({"timeseries", "Latency p50 / p90 / p99", "", "s", quantiles});
  d.Add({"timeseries",
         "Latency p99 by method and route",
         "",
         "s",
         {{own(std::string(rules::kLatencyByMethodRoute) + ":p99_5m"), Legend({M, R})}}});

  d.Row("SLO");
  d.Add(
      {"timeseries",
       "SLO: bad ratio over 1h vs error budget",
       "5xx ratio and share of requests slower than the latency threshold over the last hour, "
       "against the error budget (1 - objective). Empty for an API without an SLO.",
       "percentunit",
       {{own(std::string(rules::kSloAvailabilityErrorRatio) + ":rate1h"), "5xx ratio (1h)"},
        {"1 - " + own(rules::kSloObjective, {{"slo", "=", "availability"}}), "availability budget"},
        {own(std::string(rules::kSloLatencySlowRatio) + ":rate1h"), "slow ratio (1h)"},
        {"1 - " + own(rules::kSloObjective, {{"slo", "=", "latency"}}), "latency budget"}},
       16});
  d.Add({"stat",
         "SLO objectives",
         "",
         "percentunit",
         {{own(rules::kSloObjective), Legend({"slo"})}},
         8});

  d.Row("Users");
  d.Add({"timeseries",
         "Top users by requests per second",
         "The API's top-K users (pulse-red heavy hitters); everyone else is " +
             std::string(names::kOtherUser) + ".",
         "reqps",
         {{"topk(10, " + own(rules::kUserRequests, {{U, "!=", names::kOtherUser}}) + ")",
           Legend({U})},
          {"sum(" + own(rules::kUserRequests, {{U, "=", names::kOtherUser}}) + ")",
           names::kOtherUser}}});

  // Process and Redis metrics have fixed names (pulse-red), so raw series work for every API.
  d.Row("Resources");
  d.Add({"timeseries",
         "CPU % (of one core)",
         "",
         "percent",
         {{"sum by (instance) (" + RateOf(own(names::kProcessCpuSeconds)) + ") * 100",
           Legend({"instance"})}}});
  d.Add(
      {"timeseries",
       "Resident memory",
       "",
       "bytes",
       {{"sum by (instance) (" + own(names::kProcessResidentMemory) + ")", Legend({"instance"})}}});

  d.Row("Redis calls");
  const std::string redis_count = std::string(names::kRedisCommandDuration) + "_count";
  const std::string redis_bucket = std::string(names::kRedisCommandDuration) + "_bucket";
  d.Add({"timeseries",
         "Redis calls per second by command",
         "",
         "ops",
         {{"sum by (" + std::string(names::kRedisCommandLabel) + ") (" + RateOf(own(redis_count)) +
               ")",
           Legend({names::kRedisCommandLabel})}},
         8});
  d.Add({"timeseries",
         "Redis errors per second",
         "",
         "ops",
         {{"sum by (" + std::string(names::kRedisCommandLabel) + ", " +
               names::kRedisErrorTypeLabel + ") (" + RateOf(own(names::kRedisCommandErrors)) + ")",
           Legend({names::kRedisCommandLabel, names::kRedisErrorTypeLabel})}},
         8});
  d.Add({"timeseries",
         "Redis latency p50 / p99",
         "",
         "s",
         {{"histogram_quantile(0.5, sum by (le) (" + RateOf(own(redis_bucket)) + "))", "p50"},
          {"histogram_quantile(0.99, sum by (le) (" + RateOf(own(redis_bucket)) + "))", "p99"}},
         8});
  return d.Json();
}

std::string RenderOverviewDashboard(const RenderOptions&) {
  const std::string api = names::kApiMonitorLabel;
  const std::string exp = names::kExporterLabel;
  DashboardBuilder d("pulse — overview", kOverviewDashboardUid, {"pulse", "overview"},
                     "Every API and exporter pulse monitors, from the recording rules and the "
                     "pulse_apimonitor / pulse_exporter labels.");
  d.Row("APIs");
  d.Add({"timeseries",
         "Requests per second by API",
         "",
         "reqps",
         {{"sum by (" + api + ") (" + std::string(rules::kRequests) + ")", Legend({api})}},
         8});
  d.Add({"timeseries",
         "Error ratio (5xx) by API",
         "",
         "percentunit",
         {{"max by (" + api + ") (" + std::string(rules::kErrorRatio) + ")", Legend({api})}},
         8});
  d.Add({"timeseries",
         "Latency p99 by API",
         "",
         "s",
         {{"max by (" + api + ") (" + std::string(rules::kLatency) + ":p99_5m)", Legend({api})}},
         8});
  d.Add({"timeseries",
         "API targets down",
         "",
         "short",
         {{"count by (" + api + ") (up{" + api + "!=\"\"} == 0)", Legend({api})}},
         12});
  d.Add({"timeseries",
         "CPU % by API (of one core)",
         "",
         "percent",
         {{"sum by (" + api + ") (rate(" + names::kProcessCpuSeconds + "{" + api + "!=\"\"}" +
               kRate + ")) * 100",
           Legend({api})}},
         12});
  d.Row("Infrastructure");
  d.Add({"timeseries",
         "Exporter targets reachable",
         "",
         "short",
         {{"min by (" + exp + ", target) (" + names::kExporterTargetUp + "{" + exp + "!=\"\"})",
           Legend({exp, "target"})}},
         8});
  d.Add({"timeseries",
         "Dead-letter messages",
         "",
         "short",
         {{"sum by (" + exp + ") (" + names::kRabbitDeadLetterMessages + ")", Legend({exp})}},
         8});
  d.Add({"timeseries",
         "In-flight messages",
         "",
         "short",
         {{"sum by (" + exp + ") (" + names::kRabbitUnacked + ")", Legend({exp})}},
         8});
  d.Add({"timeseries",
         "Database size",
         "",
         "bytes",
         {{"sum by (" + exp + ", database) (" + names::kPgDatabaseSize + ")",
           Legend({exp, "database"})}}});
  d.Add(
      {"timeseries",
       "S3 bucket size",
       "",
       "bytes",
       {{"sum by (" + exp + ", bucket) (" + names::kS3BucketSize + ")", Legend({exp, "bucket"})}}});
  return d.Json();
}

std::vector<RenderedFile> RenderDashboards(const RenderInputs& inputs) {
  std::vector<RenderedFile> out;
  for (const model::ApiMonitor* m : detail::SortedApiMonitors(inputs)) {
    // Opt-in: the templated RED dashboard already shows every API.
    if (!m->spec.dashboard.per_monitor || !m->spec.red.dashboard) continue;
    out.push_back({"dashboards/" + detail::FileStem("apimonitor", m->metadata) + ".json",
                   RenderApiMonitorDashboard(*m, inputs.options)});
  }
  for (const model::Exporter* e : detail::SortedExporters(inputs)) {
    out.push_back({"dashboards/" + detail::FileStem("exporter", e->metadata) + ".json",
                   RenderExporterDashboard(*e, inputs.options)});
  }
  out.push_back({"dashboards/overview.json", RenderOverviewDashboard(inputs.options)});
  out.push_back({"dashboards/red.json", RenderRedDashboard(inputs.options)});
  std::sort(out.begin(), out.end(),
            [](const RenderedFile& a, const RenderedFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace pulse::render
