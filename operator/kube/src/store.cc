#include "pulse/kube/store.h"

#include <mutex>
#include <stdexcept>

namespace pulse::kube {

std::string KeyOf(const nlohmann::json& object) {
  const auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) {
    throw std::invalid_argument("object has no metadata");
  }
  const auto name = md->find("name");
  if (name == md->end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    throw std::invalid_argument("object has no metadata.name");
  }
  const auto ns = md->find("namespace");
  if (ns != md->end() && ns->is_string() && !ns->get_ref<const std::string&>().empty()) {
    return ns->get<std::string>() + "/" + name->get<std::string>();
  }
  return name->get<std::string>();
}

std::string ResourceVersionOf(const nlohmann::json& object) {
  const auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return {};
  const auto rv = md->find("resourceVersion");
  return rv != md->end() && rv->is_string() ? rv->get<std::string>() : std::string();
}

ObjectPtr Store::Upsert(ObjectPtr object) {
  std::string key = KeyOf(*object);
  std::unique_lock lock(mu_);
  auto& slot = items_[std::move(key)];
  ObjectPtr old = std::move(slot);
  slot = std::move(object);
  return old;
}

ObjectPtr Store::Delete(const std::string& key) {
  std::unique_lock lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return nullptr;
  ObjectPtr old = std::move(it->second);
  items_.erase(it);
  return old;
}

Store::Diff Store::Replace(std::vector<ObjectPtr> objects) {
  std::map<std::string, ObjectPtr> next;
  for (auto& o : objects) next[KeyOf(*o)] = std::move(o);
  Diff diff;
  std::unique_lock lock(mu_);
  for (const auto& [key, obj] : next) {
    auto it = items_.find(key);
    if (it == items_.end()) {
      diff.added.push_back(obj);
    } else if (ResourceVersionOf(*it->second) != ResourceVersionOf(*obj)) {
      diff.updated.emplace_back(it->second, obj);
    }
  }
  for (const auto& [key, obj] : items_) {
    if (next.find(key) == next.end()) diff.deleted.push_back(obj);
  }
  items_.swap(next);
  return diff;
}

ObjectPtr Store::Get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Store::List() const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [k, v] : items_) out.push_back(v);
  return out;
}

std::vector<std::string> Store::Keys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& [k, v] : items_) out.push_back(k);
  return out;
}

size_t Store::Size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

}  // namespace pulse::kube
