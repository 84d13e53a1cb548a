// The per-object reconcilers' status writes, taken out of the reconcile and held back until the
// first delivery.
//
// Why: a reconcile that PATCHes its status inline makes the first delivery wait for N PATCHes
// through the client rate limit (1,000 monitors at 20 qps: 50 s), although the config needs only
// the verdicts, which are in memory (AcceptedObjects). So a reconcile Put()s the status it wants
// and returns. The queue keeps the latest wanted status per object (a newer Put replaces a waiting
// one), and from Open() on (the config reconciler's first delivery) hands each object's key to
// `enqueue`: a Controller over this Reconciler (one worker, so it holds at most one rate-limiter
// slot and a config write never waits behind a backlog of statuses) writes them.
//
// Written at most once per distinct content: an update equal to the live status the reconcile saw
// is not sent, nor one equal to the last one written while the reconcile's view of the object is
// still the one that write replaced (the informer has not seen our own write yet).
//
// generated.ruleConfigMaps: a status Put before the first delivery carries the object's rule file
// keys (`rule_files`) instead of names; the names are filled in at write time from RuleLayout,
// which knows them by then. So a starting operator writes each status once, not once with the
// live (possibly wrong) names and again after the delivery.
//
// Memory: a starting operator holds one waiting update per object (10,000 at once), so a waiting
// update keeps the wanted status as compact JSON text and the live one only as a hash, never as
// two JSON documents.
//
// Errors: a failed PATCH keeps the update (unless a newer one came) and returns Retriable (the
// Controller backs off per key); NotFound (the object is gone) drops it.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pulse/controller/accepted_objects.h"
#include "pulse/controller/object_writer.h"
#include "pulse/controller/reconciler.h"
#include "pulse/controller/rule_layout.h"
#include "pulse/kube/resource.h"

namespace pulse::controller {

struct StatusUpdate {
  ObjectRef ref;  // kind and namespace/name
  kube::Resource resource;
  std::string uid;  // of the object the reconcile saw
  Json live;        // the .status the reconcile saw (null when none)
  Json next;        // the wanted .status
  // Set: generated.ruleConfigMaps is to be named from these rule file keys at write time.
  std::optional<std::vector<std::string>> rule_files;
};

class StatusQueue final : public Reconciler {
 public:
  // `writer` and `rule_layout` (may be null) must outlive the queue.
  StatusQueue(ObjectWriter& writer, RuleLayout* rule_layout)
      : writer_(writer), rule_layout_(rule_layout) {}

  // Where an object's key goes once it has something to write (typically a Controller's
  // Enqueue). Set before the first Put.
  void SetEnqueue(std::function<void(const std::string&)> enqueue);

  // Records the wanted status of one object, replacing a waiting one.
  void Put(StatusUpdate update);

  // Drops what is known of a deleted object.
  void Forget(const ObjectRef& ref);

  // From now on updates are handed to `enqueue`; the waiting ones are handed now. Idempotent.
  void Open();
  bool IsOpen() const;

  // Updates waiting to be written.
  std::size_t Waiting() const;

  // Writes the latest update of the key (KeyOf) when it differs from what is there.
  Result Reconcile(const std::string& key) override;

  static std::string KeyOf(const ObjectRef& ref) { return ref.kind + "/" + ref.key; }

 private:
  // The last write per key, kept only until the reconcile's view shows it.
  struct Written {
    std::string uid;
    std::size_t live_before = 0;  // hash of the live status that write replaced
    std::size_t content = 0;      // hash of what was written
  };

  // What a waiting update keeps (see "Memory" above).
  struct Pending {
    ObjectRef ref;
    kube::Resource resource;
    std::string uid;
    std::size_t live = 0;  // HashOf(live status)
    std::string next;      // the wanted status, dumped
    std::optional<std::vector<std::string>> rule_files;
  };

  // Fills generated.ruleConfigMaps in `next` once the layout knows the names (then clears
  // `rule_files`).
  void Resolve(Json& next, std::optional<std::vector<std::string>>& rule_files) const;

  ObjectWriter& writer_;
  RuleLayout* const rule_layout_;
  mutable std::mutex mu_;
  std::function<void(const std::string&)> enqueue_;
  bool open_ = false;
  std::map<std::string, Pending> waiting_;
  std::map<std::string, Written> written_;
};

}  // namespace pulse::controller
