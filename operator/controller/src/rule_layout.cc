#include "pulse/controller/rule_layout.h"

#include <algorithm>
#include <set>

namespace pulse::controller {

std::vector<std::string> RuleLayout::NamesLocked(const std::vector<std::string>& file_keys) const {
  std::set<std::string> names;
  for (const std::string& key : file_keys) names.insert(RuleConfigMapName(key, buckets_, options_));
  return {names.begin(), names.end()};
}

std::optional<std::vector<std::string>> RuleLayout::ConfigMapsOf(
    const ObjectRef& ref, const std::vector<std::string>& file_keys,
    const std::vector<std::string>& live) {
  std::lock_guard lock(mu_);
  if (buckets_ > 0) return NamesLocked(file_keys);
  notes_[ref] = Note{file_keys, live};
  return std::nullopt;
}

std::optional<std::vector<std::string>> RuleLayout::Names(
    const std::vector<std::string>& file_keys) const {
  std::lock_guard lock(mu_);
  if (buckets_ == 0) return std::nullopt;
  return NamesLocked(file_keys);
}

std::vector<ObjectRef> RuleLayout::Delivered(std::size_t buckets,
                                             const std::function<std::vector<ObjectRef>()>& known) {
  std::lock_guard lock(mu_);
  if (buckets == buckets_) return {};
  const bool first = buckets_ == 0;
  buckets_ = buckets;
  std::vector<ObjectRef> out;
  if (first) {
    for (const auto& [ref, note] : notes_) {
      if (NamesLocked(note.file_keys) != note.live) out.push_back(ref);
    }
    notes_.clear();
    return out;
  }
  return known();
}

}  // namespace pulse::controller
