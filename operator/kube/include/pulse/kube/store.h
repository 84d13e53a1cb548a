// The informer's in-memory cache: the latest object of each key (namespace/name, or name for
// cluster-scoped objects). Thread-safe: many readers and one writer (the informer) at once.
//
// Objects are kept as their compact JSON text and parsed again when read (Get, List, the
// Diff's entries). A parsed nlohmann::json object takes five to six times the bytes of its
// text (a map node per member), so a cache of 10,000 custom resources is ~12 MiB of text
// instead of ~60 MiB of parsed trees; a read costs one parse (~15 µs for a 1 KiB object), and
// each reconcile reads its object once. Every read returns a fresh, immutable object that the
// reader owns alone.
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

// One object as the store keeps it. The text is shared (a Diff's entries and the store's item
// are the same bytes).
struct StoredObject {
  std::string key;
  std::string resource_version;
  std::shared_ptr<const std::string> text;  // compact JSON, never null

  // Throws std::invalid_argument when the object has no metadata.name.
  static StoredObject From(const nlohmann::json& object);
  ObjectPtr Parse() const;
};

class Store {
 public:
  // What Replace changed: the events an informer emits after a (re)list, still as text so that
  // a first list of thousands of objects is not parsed all at once (Parse() each in turn).
  struct Diff {
    std::vector<StoredObject> added;
    std::vector<std::pair<StoredObject, StoredObject>> updated;  // (old, new), RV changed
    std::vector<StoredObject> deleted;                           // last known state
  };

  // Inserts or replaces; returns the previous object (nullptr when new).
  ObjectPtr Upsert(const nlohmann::json& object);
  // Removes; returns the removed object (nullptr when absent).
  ObjectPtr Delete(const std::string& key);
  // Swaps in a complete new content (a list result) and reports the difference.
  Diff Replace(std::vector<StoredObject> objects);
  Diff Replace(const std::vector<ObjectPtr>& objects);

  ObjectPtr Get(const std::string& key) const;  // nullptr when absent
  std::vector<ObjectPtr> List() const;          // sorted by key
  std::vector<std::string> Keys() const;        // sorted
  size_t Size() const;

 private:
  struct Item {
    std::string resource_version;
    std::shared_ptr<const std::string> text;
  };

  mutable std::shared_mutex mu_;
  std::map<std::string, Item> items_;
};

}  // namespace pulse::kube
