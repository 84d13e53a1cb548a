// The operator's in-memory view of which custom resources are in force: the accepted
// ApiMonitors and Exporters (their parsed model, which the shared config renders from) and the
// keys of the rejected ones (counted only). The per-object reconcilers write it; the config
// reconciler reads a snapshot. Rendered bytes are never kept here, only the model objects.
//
// Also the `pulse_operator_objects{kind,state="accepted|rejected"}` gauge (zero from the start).
//
// Thread-safety: thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pulse/model/api_monitor.h"
#include "pulse/model/exporter.h"

namespace prometheus {
class Registry;
class Gauge;
}  // namespace prometheus

namespace pulse::controller {

class AcceptedObjects {
 public:
  struct Snapshot {
    std::vector<model::ApiMonitor> api_monitors;  // sorted by namespace/name
    std::vector<model::Exporter> exporters;       // sorted by namespace/name
  };

  // `registry` may be null (no metrics).
  explicit AcceptedObjects(prometheus::Registry* registry);

  // Each returns true when what the shared config renders from changed. `fingerprint`
  // identifies the accepted content (spec + the Secrets it resolved): the same fingerprint
  // again is no change, so status-only updates do not cause a render.
  bool AcceptApiMonitor(const std::string& key, model::ApiMonitor monitor,
                        const std::string& fingerprint);
  bool RejectApiMonitor(const std::string& key);
  bool RemoveApiMonitor(const std::string& key);
  bool AcceptExporter(const std::string& key, model::Exporter exporter,
                      const std::string& fingerprint);
  bool RejectExporter(const std::string& key);
  bool RemoveExporter(const std::string& key);

  Snapshot Take() const;
  size_t Count(const std::string& kind, bool accepted) const;

 private:
  template <typename T>
  struct Entry {
    std::optional<T> accepted;  // nullopt: rejected
    std::string fingerprint;
  };
  void UpdateGaugesLocked();

  mutable std::mutex mu_;
  std::map<std::string, Entry<model::ApiMonitor>> monitors_;
  std::map<std::string, Entry<model::Exporter>> exporters_;
  prometheus::Gauge* gauges_[2][2] = {};  // [kind: 0 ApiMonitor, 1 Exporter][accepted]
};

}  // namespace pulse::controller
