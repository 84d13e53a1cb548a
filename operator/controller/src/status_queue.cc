#include "pulse/controller/status_queue.h"

#include <functional>
#include <utility>

#include "pulse/kube/api_error.h"

namespace pulse::controller {

namespace {
std::size_t HashOf(const std::string& text) { return std::hash<std::string>{}(text); }
std::size_t HashOf(const Json& j) { return HashOf(j.dump()); }
}  // namespace

void StatusQueue::SetEnqueue(std::function<void(const std::string&)> enqueue) {
  std::lock_guard lock(mu_);
  enqueue_ = std::move(enqueue);
}

void StatusQueue::Resolve(Json& next, std::optional<std::vector<std::string>>& rule_files) const {
  if (!rule_files || rule_layout_ == nullptr) return;
  auto names = rule_layout_->Names(*rule_files);
  // Not delivered yet: `next` keeps the names the live status has (the reconcile put them).
  if (!names) return;
  Json& generated = next["generated"];
  if (names->empty()) {
    if (generated.is_object()) generated.erase("ruleConfigMaps");
  } else {
    generated["ruleConfigMaps"] = *names;
  }
  rule_files.reset();
}

void StatusQueue::Put(StatusUpdate update) {
  const std::string key = KeyOf(update.ref);
  Resolve(update.next, update.rule_files);
  const std::size_t live = HashOf(update.live);
  std::string next_text = update.next.dump();  // kept while waiting, and hashed once
  const std::size_t next_hash = HashOf(next_text);
  std::function<void(const std::string&)> enqueue;
  {
    std::lock_guard lock(mu_);
    auto w = written_.find(key);
    if (w != written_.end()) {
      if (w->second.uid != update.uid || live == w->second.content) {
        written_.erase(w);  // another object now, or the view shows our write
      } else if (!update.rule_files && live == w->second.live_before &&
                 next_hash == w->second.content) {
        // The reconcile saw the status our last write replaced and wants what we wrote.
        waiting_.erase(key);
        return;
      }
    }
    if (!update.rule_files && update.next == update.live) {
      waiting_.erase(key);  // what is there is what is wanted
      return;
    }
    waiting_.insert_or_assign(
        key, Pending{std::move(update.ref), std::move(update.resource), std::move(update.uid), live,
                     std::move(next_text), std::move(update.rule_files)});
    if (open_) enqueue = enqueue_;
  }
  if (enqueue) enqueue(key);
}

void StatusQueue::Forget(const ObjectRef& ref) {
  std::lock_guard lock(mu_);
  waiting_.erase(KeyOf(ref));
  written_.erase(KeyOf(ref));
}

void StatusQueue::Open() {
  std::vector<std::string> keys;
  std::function<void(const std::string&)> enqueue;
  {
    std::lock_guard lock(mu_);
    if (open_) return;
    open_ = true;
    enqueue = enqueue_;
    for (const auto& [key, update] : waiting_) keys.push_back(key);
  }
  if (!enqueue) return;
  for (const std::string& key : keys) enqueue(key);
}

bool StatusQueue::IsOpen() const {
  std::lock_guard lock(mu_);
  return open_;
}

std::size_t StatusQueue::Waiting() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

Result StatusQueue::Reconcile(const std::string& key) {
  Pending update;
  {
    std::lock_guard lock(mu_);
    auto it = waiting_.find(key);
    if (it == waiting_.end()) return Result::Done();  // replaced by "nothing to write"
    update = std::move(it->second);
    waiting_.erase(it);
  }
  Json next = Json::parse(update.next);
  Resolve(next, update.rule_files);
  const std::size_t live = update.live, content = HashOf(next);
  if (content == live) return Result::Done();  // what is there is what is wanted
  {
    std::lock_guard lock(mu_);
    auto w = written_.find(key);
    if (w != written_.end() && w->second.uid == update.uid && w->second.live_before == live &&
        w->second.content == content) {
      return Result::Done();
    }
  }
  const std::string& ref_key = update.ref.key;
  const std::size_t slash = ref_key.find('/');
  const std::string ns = slash == std::string::npos ? std::string() : ref_key.substr(0, slash);
  const std::string name = slash == std::string::npos ? ref_key : ref_key.substr(slash + 1);
  try {
    writer_.PatchStatus(update.resource, ns, name, next);
  } catch (const kube::ApiError& e) {
    if (kube::IsNotFound(e)) return Result::Done();  // the object is gone, and its status
    std::lock_guard lock(mu_);
    update.next = next.dump();                     // with the names it resolved
    waiting_.try_emplace(key, std::move(update));  // unless a newer one came meanwhile
    return Result::Retriable(e.what());
  }
  std::lock_guard lock(mu_);
  written_[key] = Written{update.uid, live, content};
  return Result::Done();
}

}  // namespace pulse::controller
