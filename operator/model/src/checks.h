// Private: the individual rules Validate() applies, each adding errors to an ErrorSink.
//
// Thread-safety: pure functions (RE2 objects are built per call).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "json_reader.h"
#include "pulse/model/alerts.h"
#include "pulse/model/common_types.h"
#include "pulse/model/duration.h"
#include "pulse/model/object_meta.h"
#include "pulse/model/secret.h"

namespace pulse::model::internal {

bool IsLabelName(std::string_view s);         // Prometheus: [a-zA-Z_][a-zA-Z0-9_]*
bool IsMetricName(std::string_view s);        // Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsDns1123Label(std::string_view s);      // [a-z0-9]([-a-z0-9]*[a-z0-9])?, <= 63
bool IsDns1123Subdomain(std::string_view s);  // labels joined by '.', <= 253
bool IsLabelKey(std::string_view s);          // Kubernetes label key: [prefix/]name
bool IsLabelValue(std::string_view s);        // Kubernetes label value, may be empty
bool IsHostPort(std::string_view s);          // "host:port" / "[v6]:port", port 1..65535
std::string Quote(std::string_view s);        // "\"" + printable(s) + "\""

// Checks shared by both kinds. `path` is the field path of the value checked.
void CheckMeta(ErrorSink& sink, const ObjectMeta& meta, std::size_t max_name_length);
void CheckNonEmpty(ErrorSink& sink, const std::string& path, const std::string& value);
void CheckMaxLength(ErrorSink& sink, const std::string& path, const std::string& value,
                    std::size_t max);
void CheckLabelName(ErrorSink& sink, const std::string& path, const std::string& value);
void CheckMetricName(ErrorSink& sink, const std::string& path, const std::string& value);
void CheckRegex(ErrorSink& sink, const std::string& path, const std::string& regex);
void CheckDurationRange(ErrorSink& sink, const std::string& path, const Duration& d,
                        std::chrono::milliseconds min, std::chrono::milliseconds max);
// interval in [1s, 1d]; timeout in (0, interval].
void CheckScrapeTiming(ErrorSink& sink, const std::string& path, const Duration& interval,
                       const std::optional<Duration>& timeout);
template <typename T>
void CheckMaxItems(ErrorSink& sink, const std::string& path, const std::vector<T>& items,
                   std::size_t max) {
  if (items.size() > max) {
    sink.Add(ErrorCode::kOutOfRange, path, std::to_string(items.size()) + " items",
             "has " + std::to_string(items.size()) + " items, at most " + std::to_string(max) +
                 " allowed");
  }
}
void CheckRelabelConfigs(ErrorSink& sink, const std::string& path,
                         const std::vector<RelabelConfig>& configs);
void CheckSecretRef(ErrorSink& sink, const std::string& path, const SecretKeySelector& ref,
                    const std::string& ns, const std::vector<Secret>& secrets,
                    bool require_secrets);
void CheckTls(ErrorSink& sink, const std::string& path, const TlsConfig& tls, const std::string& ns,
              const std::vector<Secret>& secrets, bool require_secrets);
// Alert blocks (alerts.h) at `path`: ranges of threshold / for / window, which fields apply to
// which alert, severity, extra labels, runbook URL. `exporter_type` ("rabbitmq", ...) rejects
// blocks of alerts for other types; "" (the defaults file) accepts every Exporter alert.
void CheckAlertOverrides(ErrorSink& sink, const std::string& path, AlertScope scope,
                         std::string_view exporter_type, const AlertOverrides& alerts);
void CheckResources(ErrorSink& sink, const std::string& path,
                    const ResourceRequirements& resources);

}  // namespace pulse::model::internal
