#include "pulse/controller/accepted_objects.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace pulse::controller {

AcceptedObjects::AcceptedObjects(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  auto& family = prometheus::BuildGauge()
                     .Name("pulse_operator_objects")
                     .Help(
                         "Custom resources known to the operator, by kind and whether they "
                         "are accepted (in the config) or rejected (invalid or a duplicate).")
                     .Register(*registry);
  const char* kinds[2] = {"ApiMonitor", "Exporter"};
  for (int k = 0; k < 2; ++k) {
    gauges_[k][0] = &family.Add({{"kind", kinds[k]}, {"state", "rejected"}});
    gauges_[k][1] = &family.Add({{"kind", kinds[k]}, {"state", "accepted"}});
  }
}

void AcceptedObjects::CountLocked(const ObjectRef& ref, bool in_force, long delta) {
  counts_[ref.kind == "Exporter" ? 1 : 0][in_force ? 1 : 0] += delta;
}

void AcceptedObjects::UpdateGaugesLocked() {
  if (gauges_[0][0] == nullptr) return;
  for (int k = 0; k < 2; ++k) {
    for (int a = 0; a < 2; ++a) gauges_[k][a]->Set(static_cast<double>(counts_[k][a]));
  }
}

std::optional<std::pair<std::string, ObjectRef>> AcceptedObjects::BlockerLocked(
    const ObjectRef& ref, const Entry& entry) const {
  // The first claim (in the object's own order) that an earlier valid object also makes.
  for (const std::string& claim : entry.candidate.claims) {
    auto it = holders_.find(claim);
    if (it == holders_.end() || it->second.empty()) continue;
    const Order& first = *it->second.begin();
    if (std::get<1>(first) == ref.key && std::get<2>(first) == ref.kind) continue;
    return std::pair(claim, ObjectRef{std::get<2>(first), std::get<1>(first)});
  }
  return std::nullopt;
}

Verdict AcceptedObjects::Change(const ObjectRef& ref, std::optional<Entry> next,
                                bool keep_rejected) {
  std::lock_guard lock(mu_);
  Verdict verdict;
  std::set<std::string> touched;  // claims whose holders change
  bool was_in_force = false;
  std::string old_fingerprint;
  std::map<std::string, std::string> old_credentials;
  if (auto it = entries_.find(ref); it != entries_.end()) {
    const Entry& old = it->second;
    was_in_force = old.InForce();
    CountLocked(ref, was_in_force, -1);
    old_fingerprint = old.candidate.fingerprint;
    old_credentials = old.candidate.credentials;
    if (old.Valid()) {
      const Order order{old.candidate.created, ref.key, ref.kind};
      for (const std::string& claim : old.candidate.claims) {
        touched.insert(claim);
        auto h = holders_.find(claim);
        if (h == holders_.end()) continue;
        h->second.erase(order);
        if (h->second.empty()) holders_.erase(h);
      }
    }
  }
  if (next) {
    const Order order{next->candidate.created, ref.key, ref.kind};
    for (const std::string& claim : next->candidate.claims) {
      touched.insert(claim);
      holders_[claim].insert(order);
    }
    entries_[ref] = std::move(*next);
  } else if (keep_rejected) {
    entries_[ref] = Entry{};  // known, invalid
  } else {
    entries_.erase(ref);
  }

  // Everyone whose verdict may have moved: this object and every holder of a touched claim.
  std::set<ObjectRef> affected = {ref};
  for (const std::string& claim : touched) {
    auto h = holders_.find(claim);
    if (h == holders_.end()) continue;
    for (const Order& o : h->second) affected.insert(ObjectRef{std::get<2>(o), std::get<1>(o)});
  }
  for (const ObjectRef& other : affected) {
    auto it = entries_.find(other);
    if (it == entries_.end() || !it->second.Valid()) continue;
    Entry& e = it->second;
    const bool before = e.InForce();
    auto blocker = BlockerLocked(other, e);
    const bool flipped = blocker != e.blocked_by;
    e.blocked_by = std::move(blocker);
    if (other == ref) continue;
    if (flipped) verdict.others_changed.push_back(other);
    if (before != e.InForce()) {
      verdict.config_changed = true;
      CountLocked(other, before, -1);
      CountLocked(other, !before, +1);
    }
  }
  auto it = entries_.find(ref);
  const bool in_force = it != entries_.end() && it->second.InForce();
  if (it != entries_.end()) CountLocked(ref, in_force, +1);
  if (it != entries_.end()) verdict.duplicate_of = it->second.blocked_by;
  if (in_force != was_in_force ||
      (in_force && (it->second.candidate.fingerprint != old_fingerprint ||
                    it->second.candidate.credentials != old_credentials))) {
    verdict.config_changed = true;
  }
  UpdateGaugesLocked();
  return verdict;
}

Verdict AcceptedObjects::OfferApiMonitor(const std::string& key, model::ApiMonitor monitor,
                                         Candidate candidate) {
  Entry e;
  e.monitor = std::make_shared<const model::ApiMonitor>(std::move(monitor));
  e.candidate = std::move(candidate);
  return Change({"ApiMonitor", key}, std::move(e), true);
}

Verdict AcceptedObjects::OfferExporter(const std::string& key, model::Exporter exporter,
                                       Candidate candidate) {
  Entry e;
  e.exporter = std::make_shared<const model::Exporter>(std::move(exporter));
  e.candidate = std::move(candidate);
  return Change({"Exporter", key}, std::move(e), true);
}

Verdict AcceptedObjects::Reject(const std::string& kind, const std::string& key) {
  return Change({kind, key}, std::nullopt, true);
}

Verdict AcceptedObjects::Remove(const std::string& kind, const std::string& key) {
  return Change({kind, key}, std::nullopt, false);
}

bool AcceptedObjects::AcceptApiMonitor(const std::string& key, model::ApiMonitor monitor,
                                       const std::string& fingerprint) {
  Candidate c;
  c.fingerprint = fingerprint;
  return OfferApiMonitor(key, std::move(monitor), std::move(c)).config_changed;
}

bool AcceptedObjects::AcceptExporter(const std::string& key, model::Exporter exporter,
                                     const std::string& fingerprint) {
  Candidate c;
  c.fingerprint = fingerprint;
  return OfferExporter(key, std::move(exporter), std::move(c)).config_changed;
}

AcceptedObjects::Snapshot AcceptedObjects::Take() const {
  std::lock_guard lock(mu_);
  Snapshot s;
  // entries_ is ordered by (kind, key): ApiMonitors then Exporters, each by namespace/name.
  for (const auto& [ref, entry] : entries_) {
    if (!entry.InForce()) continue;
    if (entry.monitor) s.api_monitors.push_back(entry.monitor);
    if (entry.exporter) s.exporters.push_back(entry.exporter);
    for (const auto& [name, value] : entry.candidate.credentials) s.credentials[name] = value;
  }
  return s;
}

std::vector<ObjectRef> AcceptedObjects::Known() const {
  std::lock_guard lock(mu_);
  std::vector<ObjectRef> out;
  out.reserve(entries_.size());
  for (const auto& [ref, entry] : entries_) out.push_back(ref);
  return out;
}

size_t AcceptedObjects::Count(const std::string& kind, bool accepted) const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(counts_[kind == "Exporter" ? 1 : 0][accepted ? 1 : 0]);
}

}  // namespace pulse::controller
