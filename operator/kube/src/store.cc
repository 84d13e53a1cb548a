#include "pulse/kube/store.h"

#include <mutex>
#include <stdexcept>

namespace pulse::kube {

namespace {
ObjectPtr ParseText(const std::string& text) {
  return std::make_shared<const nlohmann::json>(nlohmann::json::parse(text));
}
}  // namespace

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

StoredObject StoredObject::From(const nlohmann::json& object) {
  std::string text = object.dump();
  text.shrink_to_fit();  // dump() grows its buffer by doubling
  return {KeyOf(object), ResourceVersionOf(object),
          std::make_shared<const std::string>(std::move(text))};
}

ObjectPtr StoredObject::Parse() const { return ParseText(*text); }

ObjectPtr Store::Upsert(const nlohmann::json& object) {
  StoredObject stored = StoredObject::From(object);
  Item old;
  bool existed = false;
  {
    std::unique_lock lock(mu_);
    auto [it, inserted] = items_.try_emplace(std::move(stored.key));
    existed = !inserted;
    if (existed) old = std::move(it->second);
    it->second = Item{std::move(stored.resource_version), std::move(stored.text)};
  }
  return existed ? ParseText(*old.text) : nullptr;
}

ObjectPtr Store::Delete(const std::string& key) {
  Item old;
  {
    std::unique_lock lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    old = std::move(it->second);
    items_.erase(it);
  }
  return ParseText(*old.text);
}

Store::Diff Store::Replace(std::vector<StoredObject> objects) {
  std::map<std::string, Item> next;
  for (auto& o : objects) {
    next.insert_or_assign(std::move(o.key), Item{std::move(o.resource_version), std::move(o.text)});
  }
  objects.clear();
  Diff diff;
  std::unique_lock lock(mu_);
  for (const auto& [key, item] : next) {
    auto it = items_.find(key);
    if (it == items_.end()) {
      diff.added.push_back({key, item.resource_version, item.text});
    } else if (it->second.resource_version != item.resource_version) {
      diff.updated.emplace_back(StoredObject{key, it->second.resource_version, it->second.text},
                                StoredObject{key, item.resource_version, item.text});
    }
  }
  for (auto& [key, item] : items_) {
    if (next.find(key) == next.end()) {
      diff.deleted.push_back({key, std::move(item.resource_version), std::move(item.text)});
    }
  }
  items_.swap(next);
  return diff;
}

Store::Diff Store::Replace(const std::vector<ObjectPtr>& objects) {
  std::vector<StoredObject> stored;
  stored.reserve(objects.size());
  for (const auto& o : objects) stored.push_back(StoredObject::From(*o));
  return Replace(std::move(stored));
}

ObjectPtr Store::Get(const std::string& key) const {
  std::shared_ptr<const std::string> text;
  {
    std::shared_lock lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    text = it->second.text;
  }
  return ParseText(*text);
}

std::vector<ObjectPtr> Store::List() const {
  std::vector<std::shared_ptr<const std::string>> texts;
  {
    std::shared_lock lock(mu_);
    texts.reserve(items_.size());
    for (const auto& [k, v] : items_) texts.push_back(v.text);
  }
  std::vector<ObjectPtr> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(ParseText(*t));
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
