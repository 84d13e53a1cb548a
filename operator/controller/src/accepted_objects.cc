#include "pulse/controller/accepted_objects.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace pulse::controller {

namespace {

template <typename Map, typename T>
bool Accept(Map& map, const std::string& key, T object, const std::string& fingerprint) {
  auto& entry = map[key];
  const bool changed = !entry.accepted || entry.fingerprint != fingerprint;
  entry.accepted = std::move(object);
  entry.fingerprint = fingerprint;
  return changed;
}

template <typename Map>
bool Reject(Map& map, const std::string& key) {
  auto [it, inserted] = map.try_emplace(key);
  const bool changed = it->second.accepted.has_value();  // it was in the config until now
  it->second.accepted.reset();
  it->second.fingerprint.clear();
  (void)inserted;
  return changed;
}

template <typename Map>
bool Remove(Map& map, const std::string& key) {
  auto it = map.find(key);
  if (it == map.end()) return false;
  const bool changed = it->second.accepted.has_value();
  map.erase(it);
  return changed;
}

template <typename Map>
size_t CountOf(const Map& map, bool accepted) {
  size_t n = 0;
  for (const auto& [key, entry] : map) n += entry.accepted.has_value() == accepted ? 1 : 0;
  return n;
}

}  // namespace

AcceptedObjects::AcceptedObjects(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  auto& family = prometheus::BuildGauge()
                     .Name("pulse_operator_objects")
                     .Help(
                         "Custom resources known to the operator, by kind and whether they "
                         "are accepted (in the config) or rejected (invalid).")
                     .Register(*registry);
  const char* kinds[2] = {"ApiMonitor", "Exporter"};
  for (int k = 0; k < 2; ++k) {
    gauges_[k][0] = &family.Add({{"kind", kinds[k]}, {"state", "rejected"}});
    gauges_[k][1] = &family.Add({{"kind", kinds[k]}, {"state", "accepted"}});
  }
}

void AcceptedObjects::UpdateGaugesLocked() {
  if (gauges_[0][0] == nullptr) return;
  for (int a = 0; a < 2; ++a) {
    gauges_[0][a]->Set(static_cast<double>(CountOf(monitors_, a == 1)));
    gauges_[1][a]->Set(static_cast<double>(CountOf(exporters_, a == 1)));
  }
}

bool AcceptedObjects::AcceptApiMonitor(const std::string& key, model::ApiMonitor monitor,
                                       const std::string& fingerprint) {
  std::lock_guard lock(mu_);
  const bool changed = Accept(monitors_, key, std::move(monitor), fingerprint);
  UpdateGaugesLocked();
  return changed;
}
bool AcceptedObjects::RejectApiMonitor(const std::string& key) {
  std::lock_guard lock(mu_);
  const bool changed = Reject(monitors_, key);
  UpdateGaugesLocked();
  return changed;
}
bool AcceptedObjects::RemoveApiMonitor(const std::string& key) {
  std::lock_guard lock(mu_);
  const bool changed = Remove(monitors_, key);
  UpdateGaugesLocked();
  return changed;
}
bool AcceptedObjects::AcceptExporter(const std::string& key, model::Exporter exporter,
                                     const std::string& fingerprint) {
  std::lock_guard lock(mu_);
  const bool changed = Accept(exporters_, key, std::move(exporter), fingerprint);
  UpdateGaugesLocked();
  return changed;
}
bool AcceptedObjects::RejectExporter(const std::string& key) {
  std::lock_guard lock(mu_);
  const bool changed = Reject(exporters_, key);
  UpdateGaugesLocked();
  return changed;
}
bool AcceptedObjects::RemoveExporter(const std::string& key) {
  std::lock_guard lock(mu_);
  const bool changed = Remove(exporters_, key);
  UpdateGaugesLocked();
  return changed;
}

AcceptedObjects::Snapshot AcceptedObjects::Take() const {
  std::lock_guard lock(mu_);
  Snapshot s;
  for (const auto& [key, entry] : monitors_) {
    if (entry.accepted) s.api_monitors.push_back(*entry.accepted);
  }
  for (const auto& [key, entry] : exporters_) {
    if (entry.accepted) s.exporters.push_back(*entry.accepted);
  }
  return s;
}

size_t AcceptedObjects::Count(const std::string& kind, bool accepted) const {
  std::lock_guard lock(mu_);
  return kind == "Exporter" ? CountOf(exporters_, accepted) : CountOf(monitors_, accepted);
}

}  // namespace pulse::controller
