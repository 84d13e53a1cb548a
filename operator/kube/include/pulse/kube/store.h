// The informer's in-memory cache: the latest object of each key (namespace/name, or name for
// cluster-scoped objects), as immutable shared JSON so readers never copy or lock for long.
// Thread-safe: many readers and one writer (the informer) at once.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <vector>

namespace pulse::kube {

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

// "namespace/name" or "name"; throws std::invalid_argument when metadata.name is missing.
std::string KeyOf(const nlohmann::json& object);
// metadata.resourceVersion or "".
std::string ResourceVersionOf(const nlohmann::json& object);

class Store {
 public:
  // What Replace changed: the events an informer emits after a (re)list.
  struct Diff {
    std::vector<ObjectPtr> added;
    std::vector<std::pair<ObjectPtr, ObjectPtr>> updated;  // (old, new), resourceVersion changed
    std::vector<ObjectPtr> deleted;                        // last known state
  };

  // Inserts or replaces; returns the previous object (nullptr when new).
  ObjectPtr Upsert(ObjectPtr object);
  // Removes; returns the removed object (nullptr when absent).
  ObjectPtr Delete(const std::string& key);
  // Swaps in a complete new content (a list result) and reports the difference.
  Diff Replace(std::vector<ObjectPtr> objects);

  ObjectPtr Get(const std::string& key) const;  // nullptr when absent
  std::vector<ObjectPtr> List() const;          // sorted by key
  std::vector<std::string> Keys() const;        // sorted
  size_t Size() const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, ObjectPtr> items_;
};

}  // namespace pulse::kube
