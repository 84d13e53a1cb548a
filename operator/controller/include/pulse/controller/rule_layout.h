// Which rule ConfigMaps hold an object's rules, for its status (generated.ruleConfigMaps).
// A rule file's ConfigMap depends on how many rule ConfigMaps the whole render needs
// (delivery.h BuildRuleConfigMaps), which only the config reconciler learns, after the
// per-object reconcilers have run. So the per-object reconcilers ask here, and before the first
// delivery (a starting operator) they keep the value their live status has and leave a note;
// the first delivery then names exactly the objects whose live value was wrong, and a later
// change of the ConfigMap count names every object, to be reconciled again.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pulse/controller/accepted_objects.h"
#include "pulse/controller/delivery.h"

namespace pulse::controller {

class RuleLayout {
 public:
  explicit RuleLayout(DeliveryOptions options) : options_(std::move(options)) {}

  // The rule ConfigMaps (sorted, unique) holding `file_keys` ("x.yaml"); nullopt before the
  // first delivery, after noting `ref` with the names its live status shows.
  std::optional<std::vector<std::string>> ConfigMapsOf(const ObjectRef& ref,
                                                       const std::vector<std::string>& file_keys,
                                                       const std::vector<std::string>& live);

  // The same names without a note; nullopt before the first delivery (for a status written
  // later, status_queue.h, which fills them in then).
  std::optional<std::vector<std::string>> Names(const std::vector<std::string>& file_keys) const;

  // The config reconciler delivered `buckets` rule ConfigMaps. Returns whom to reconcile again:
  // after the first delivery, the noted objects whose live names were wrong; after a change of
  // the count, everyone (`known()`).
  std::vector<ObjectRef> Delivered(std::size_t buckets,
                                   const std::function<std::vector<ObjectRef>()>& known);

 private:
  std::vector<std::string> NamesLocked(const std::vector<std::string>& file_keys) const;

  const DeliveryOptions options_;
  mutable std::mutex mu_;
  std::size_t buckets_ = 0;  // 0: nothing delivered yet
  struct Note {
    std::vector<std::string> file_keys;
    std::vector<std::string> live;
  };
  std::map<ObjectRef, Note> notes_;
};

}  // namespace pulse::controller
