// The operator's in-memory view of which custom resources are in force: the accepted
// ApiMonitors and Exporters (their parsed model, which the shared config renders from, and the
// scrape credentials they resolved) and the keys of the rejected ones (counted only). The
// per-object reconcilers write it; the config reconciler reads a snapshot. Rendered bytes are
// never kept here, only the model objects.
//
// Duplicates. Each valid object claims the outputs that must be unique in the shared config
// (its scrape job names, its dashboard ConfigMap and uid). When two objects claim the same
// output, the one created first (creationTimestamp, then namespace/name) keeps it and stays in
// force; every later one is held back alone (DuplicateOf names the first) and is absent from
// the snapshot, so Prometheus never sees a duplicate job_name. The verdict depends only on the
// set of valid objects, not on the order the reconciles ran in; when an object's verdict flips
// because another one came or went, Offer/Reject/Remove report it so it can be reconciled
// again (its status must say so).
//
// Also the `pulse_operator_objects{kind,state="accepted|rejected"}` gauge (zero from the start;
// a held-back duplicate counts as rejected).
//
// Thread-safety: thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "pulse/model/api_monitor.h"
#include "pulse/model/exporter.h"

namespace prometheus {
class Registry;
class Gauge;
}  // namespace prometheus

namespace pulse::controller {

// What a valid object brings besides its model.
struct Candidate {
  // Identifies the accepted content (spec + the Secrets it resolved): the same fingerprint
  // again is no change, so status-only updates do not cause a render.
  std::string fingerprint;
  // Outputs that must be unique across objects, e.g. "scrape job apimonitor/shop/a/0".
  std::vector<std::string> claims;
  // metadata.creationTimestamp as the API writes it (RFC 3339 UTC, so text order is time
  // order); "" sorts first.
  std::string created;
  // Scrape credentials (render::CredentialFileName -> value) for the generated Secret.
  std::map<std::string, std::string> credentials;
};

// An object by kind ("ApiMonitor", "Exporter") and key ("namespace/name").
struct ObjectRef {
  std::string kind;
  std::string key;
  // clang-tidy 14 reports the 0 of the defaulted <=>'s synthesized comparison as a null pointer.
  friend auto operator<=>(const ObjectRef&,
                          const ObjectRef&) = default;  // NOLINT(modernize-use-nullptr)
};

// The outcome of a change.
struct Verdict {
  bool config_changed = false;  // what the shared config renders from changed
  // Set when this object is held back: the claim it lost and who holds it.
  std::optional<std::pair<std::string, ObjectRef>> duplicate_of;
  std::vector<ObjectRef> others_changed;  // other objects whose verdict flipped
};

class AcceptedObjects {
 public:
  // The objects in force, shared with the set (immutable: a change replaces an object, never
  // edits it), so a render of 10,000 objects does not copy them.
  struct Snapshot {
    std::vector<std::shared_ptr<const model::ApiMonitor>> api_monitors;  // by namespace/name
    std::vector<std::shared_ptr<const model::Exporter>> exporters;       // by namespace/name
    std::map<std::string, std::string> credentials;                      // of the accepted objects
  };

  // `registry` may be null (no metrics).
  explicit AcceptedObjects(prometheus::Registry* registry);

  // A valid object: accepted unless an earlier object holds one of its claims.
  Verdict OfferApiMonitor(const std::string& key, model::ApiMonitor monitor, Candidate candidate);
  Verdict OfferExporter(const std::string& key, model::Exporter exporter, Candidate candidate);
  // An invalid object (stays known, counted as rejected) / a deleted one.
  Verdict Reject(const std::string& kind, const std::string& key);
  Verdict Remove(const std::string& kind, const std::string& key);

  // The earlier interface, without claims or credentials; each returns config_changed.
  bool AcceptApiMonitor(const std::string& key, model::ApiMonitor monitor,
                        const std::string& fingerprint);
  bool RejectApiMonitor(const std::string& key) { return Reject("ApiMonitor", key).config_changed; }
  bool RemoveApiMonitor(const std::string& key) { return Remove("ApiMonitor", key).config_changed; }
  bool AcceptExporter(const std::string& key, model::Exporter exporter,
                      const std::string& fingerprint);
  bool RejectExporter(const std::string& key) { return Reject("Exporter", key).config_changed; }
  bool RemoveExporter(const std::string& key) { return Remove("Exporter", key).config_changed; }

  Snapshot Take() const;
  // Every object known (valid, invalid or held back).
  std::vector<ObjectRef> Known() const;
  // Accepted: in force. Rejected: invalid or held back as a duplicate.
  size_t Count(const std::string& kind, bool accepted) const;

 private:
  struct Entry {
    std::shared_ptr<const model::ApiMonitor> monitor;  // the valid model (one of the two is set)
    std::shared_ptr<const model::Exporter> exporter;
    Candidate candidate;
    std::optional<std::pair<std::string, ObjectRef>> blocked_by;  // held back: claim, holder
    bool Valid() const { return monitor != nullptr || exporter != nullptr; }
    bool InForce() const { return Valid() && !blocked_by.has_value(); }
  };
  using Order = std::tuple<std::string, std::string, std::string>;  // created, key, kind

  Verdict Change(const ObjectRef& ref, std::optional<Entry> next, bool keep_rejected);
  std::optional<std::pair<std::string, ObjectRef>> BlockerLocked(const ObjectRef& ref,
                                                                 const Entry& entry) const;
  // The counts move with each change (a recount of every entry per change is quadratic in a
  // start with thousands of objects).
  void CountLocked(const ObjectRef& ref, bool in_force, long delta);
  void UpdateGaugesLocked();

  mutable std::mutex mu_;
  std::map<ObjectRef, Entry> entries_;
  std::map<std::string, std::set<Order>> holders_;  // claim -> valid objects claiming it
  long counts_[2][2] = {};                          // [kind: 0 ApiMonitor, 1 Exporter][accepted]
  prometheus::Gauge* gauges_[2][2] = {};            // the same, exported
};

}  // namespace pulse::controller
