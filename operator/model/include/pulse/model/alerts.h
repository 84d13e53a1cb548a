// Alerts the user declares: `spec.alerts` of an ApiMonitor or an Exporter, and the cluster-wide
// defaults (`--alert-defaults FILE`, the same blocks under `apiMonitor:` / `exporter:`). Every
// alert pulse generates has a key here (its catalogue entry) with built-in defaults; a block may
// switch it off or change its threshold, `for`, window, severity, extra labels and runbook URL.
// Resolution: built-in default <- cluster default <- the object's own block (field by field;
// extra labels are merged, the later one wins per label).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pulse/model/duration.h"
#include "pulse/model/error.h"

namespace pulse::model {

// One alert's block as written (every field optional).
struct AlertOverride {
  std::optional<bool> enabled;
  std::optional<double> threshold;
  std::optional<Duration> for_;
  std::optional<Duration> window;  // only for the alerts that look back over a window
  std::optional<std::string> severity;
  std::map<std::string, std::string> labels;  // extra alert labels
  std::optional<std::string> runbook_url;     // annotation runbook_url
};

// Alert key ("errorRatio") -> its block.
using AlertOverrides = std::map<std::string, AlertOverride>;

// What the threshold of an alert measures; it fixes the allowed range (docs/crds.md).
enum class ThresholdUnit {
  kNone,         // no threshold (target down / absent)
  kRatio,        // a fraction in (0, 1]
  kSeconds,      // seconds in (0, 3600]
  kMessages,     // a whole number of messages in [0, 1e12]
  kGrowthRatio,  // relative growth in (0, 1000]
};

enum class AlertScope { kApiMonitor, kExporter };

// One entry of the alert catalogue.
struct AlertDefinition {
  std::string_view key;         // field name under spec.alerts
  std::string_view alert_name;  // Prometheus alert name ("" when it depends on the type)
  AlertScope scope;
  // Exporter type names ("rabbitmq", ...) the alert applies to; empty = all (and ApiMonitor).
  std::vector<std::string_view> types;
  ThresholdUnit unit;
  double threshold;           // built-in default (unused for kNone)
  std::string_view for_;      // built-in default `for` ("0s" = fire at once)
  std::string_view window;    // built-in default look-back window, "" = no window
  std::string_view severity;  // built-in default severity
  std::string_view what;      // one line for docs and error messages
};

// The catalogue, in a fixed order (ApiMonitor alerts, then Exporter alerts).
std::span<const AlertDefinition> AlertCatalogue();
// The entry for (scope, key), or nullptr.
const AlertDefinition* FindAlert(AlertScope scope, std::string_view key);

// An alert's settings after resolution.
struct EffectiveAlert {
  bool enabled = true;
  double threshold = 0;
  Duration for_;
  Duration window;  // value 0 for alerts without a window
  std::string severity;
  std::map<std::string, std::string> labels;
  std::string runbook_url;

  friend bool operator==(const EffectiveAlert&, const EffectiveAlert&) = default;
};

// Built-in defaults, then `cluster` (may be null), then `object` (may be null).
EffectiveAlert ResolveAlert(const AlertDefinition& def, const AlertOverrides* cluster,
                            const AlertOverrides* object);

// The cluster-wide defaults (`pulse-operator render|run --alert-defaults FILE`).
struct AlertDefaults {
  AlertOverrides api_monitor;
  AlertOverrides exporter;
};

// Parses and validates an alert-defaults YAML document:
//   apiMonitor: {errorRatio: {threshold: 0.02, for: 5m}, ...}
//   exporter:   {inFlightBacklog: {threshold: 500, severity: critical}, ...}
// The blocks follow the same rules as spec.alerts. Errors name `file` and the field path.
struct AlertDefaultsResult {
  AlertDefaults defaults;
  std::vector<Error> errors;
};
AlertDefaultsResult ParseAlertDefaults(std::string_view text, std::string_view file);

}  // namespace pulse::model
