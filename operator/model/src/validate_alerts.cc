// Semantic checks of alert blocks (spec.alerts of both kinds, and the alert-defaults file).
// The ranges are listed in docs/crds.md ("Alerts") and repeated in the CRD schemas.
#include <charconv>
#include <chrono>
#include <cmath>
#include <string>

#include "checks.h"
#include "utf8.h"

namespace pulse::model::internal {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr std::size_t kMaxExtraLabels = 16;
constexpr std::size_t kMaxLabelValueBytes = 256;
constexpr std::size_t kMaxRunbookUrlBytes = 2048;
constexpr std::size_t kMaxSeverityBytes = 32;

// Labels the rendered alerts (or the series they fire on) already give a meaning; an extra label
// with one of these names would overwrite it.
constexpr const char* kReservedLabels[] = {"alertname",
                                           "alertstate",
                                           "severity",
                                           "alert",
                                           "pulse_apimonitor",
                                           "pulse_exporter",
                                           "pulse_endpoint",
                                           "pulse_red_mapping",
                                           "scrape_job",
                                           "absent_window",
                                           "job",
                                           "instance",
                                           "target",
                                           "slo",
                                           "slo_window",
                                           "slo_threshold",
                                           "queue",
                                           "vhost",
                                           "database",
                                           "bucket",
                                           "prefix"};

struct Range {
  double min;
  bool min_inclusive;
  double max;
  const char* text;
};

Range ThresholdRange(ThresholdUnit unit) {
  switch (unit) {
    case ThresholdUnit::kRatio:
      return {0, false, 1, "(0, 1]"};
    case ThresholdUnit::kSeconds:
      return {0, false, 3600, "(0, 3600] seconds"};
    case ThresholdUnit::kMessages:
      return {0, true, 1e12, "[0, 1000000000000] messages"};
    case ThresholdUnit::kGrowthRatio:
      return {0, false, 1000, "(0, 1000]"};
    case ThresholdUnit::kNone:
      break;
  }
  return {0, true, 0, ""};
}

// The shortest text that reads back as v ("0", "3601", "2.5"), as the user would have written it.
std::string NumberText(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

bool IsSeverity(const std::string& s) {
  if (s.empty() || s.size() > kMaxSeverityBytes) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool AppliesTo(const AlertDefinition& def, std::string_view exporter_type) {
  if (def.types.empty() || exporter_type.empty()) return true;
  for (std::string_view t : def.types) {
    if (t == exporter_type) return true;
  }
  return false;
}

std::string TypesText(const AlertDefinition& def) {
  std::string out;
  for (std::string_view t : def.types) {
    if (!out.empty()) out += " and ";
    out += t;
  }
  return out;
}

void CheckOne(ErrorSink& sink, const std::string& at, const AlertDefinition& def,
              std::string_view exporter_type, const AlertOverride& o) {
  if (!AppliesTo(def, exporter_type)) {
    sink.Add(ErrorCode::kConflict, at, "",
             "applies only to " + TypesText(def) + " Exporters, not " + std::string(exporter_type));
  }
  if (o.threshold) {
    const std::string path = Join(at, "threshold");
    const double v = *o.threshold;
    const std::string text = NumberText(v);
    if (def.unit == ThresholdUnit::kNone) {
      sink.Add(ErrorCode::kConflict, path, text,
               std::string(def.key) + " has no threshold (it fires on presence / absence)");
    } else {
      const Range r = ThresholdRange(def.unit);
      const bool low = r.min_inclusive ? v < r.min : v <= r.min;
      if (!std::isfinite(v) || low || v > r.max) {
        sink.Add(ErrorCode::kOutOfRange, path, text, text + " is out of range " + r.text);
      } else if (def.unit == ThresholdUnit::kMessages && std::floor(v) != v) {
        sink.Add(ErrorCode::kInvalidValue, path, text, text + " is not a whole number of messages");
      }
    }
  }
  if (o.for_) CheckDurationRange(sink, Join(at, "for"), *o.for_, milliseconds(0), days(7));
  if (o.window) {
    if (def.window.empty()) {
      sink.Add(ErrorCode::kConflict, Join(at, "window"), o.window->text,
               std::string(def.key) + " has no window");
    } else {
      CheckDurationRange(sink, Join(at, "window"), *o.window, minutes(1), days(7));
    }
  }
  if (o.severity && !IsSeverity(*o.severity)) {
    sink.Add(ErrorCode::kInvalidValue, Join(at, "severity"), Printable(*o.severity),
             Quote(*o.severity) +
                 " is not a severity (1 to 32 letters, digits, '_' or '-', "
                 "starting with a letter, e.g. warning)");
  }
  if (o.labels.size() > kMaxExtraLabels) {
    sink.Add(ErrorCode::kOutOfRange, Join(at, "labels"), std::to_string(o.labels.size()),
             "has " + std::to_string(o.labels.size()) + " labels, at most " +
                 std::to_string(kMaxExtraLabels) + " allowed");
  }
  for (const auto& [name, value] : o.labels) {
    const std::string path = Join(Join(at, "labels"), Printable(name, 64));
    CheckLabelName(sink, path, name);
    if (name.starts_with("__")) {
      sink.Add(ErrorCode::kInvalidValue, path, Printable(name),
               "label names starting with __ are reserved for Prometheus");
    }
    for (const char* reserved : kReservedLabels) {
      if (name == reserved) {
        sink.Add(ErrorCode::kInvalidValue, path, name,
                 Quote(name) + " is set by pulse or Prometheus; use severity for the severity");
      }
    }
    CheckMaxLength(sink, path, value, kMaxLabelValueBytes);
    if (!IsValidUtf8(value)) {
      sink.Add(ErrorCode::kInvalidValue, path, Printable(value), "is not valid UTF-8");
    }
  }
  if (o.runbook_url) {
    const std::string path = Join(at, "runbookURL");
    const std::string& url = *o.runbook_url;
    const bool scheme = url.starts_with("https://") || url.starts_with("http://");
    if (!scheme || url.size() > kMaxRunbookUrlBytes ||
        url.find_first_of(" \t\r\n\"{}") != std::string::npos || !IsValidUtf8(url)) {
      sink.Add(ErrorCode::kInvalidValue, path, Printable(url),
               Quote(url) +
                   " is not an http(s) URL (at most 2048 bytes, no spaces, quotes or "
                   "braces)");
    }
  }
}

}  // namespace

void CheckAlertOverrides(ErrorSink& sink, const std::string& path, AlertScope scope,
                         std::string_view exporter_type, const AlertOverrides& alerts) {
  for (const auto& [key, block] : alerts) {
    const AlertDefinition* def = FindAlert(scope, key);
    if (def == nullptr) continue;  // the reader only keeps catalogue keys
    CheckOne(sink, Join(path, key), *def, exporter_type, block);
  }
}

}  // namespace pulse::model::internal
