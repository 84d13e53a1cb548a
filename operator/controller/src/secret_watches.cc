#include "pulse/controller/secret_watches.h"

#include "pulse/base/log.h"
#include "pulse/kube/informer.h"
#include "pulse/kube/resource.h"

namespace pulse::controller {

SecretWatches::SecretWatches(WatchFactory factory, Enqueue enqueue)
    : factory_(std::move(factory)), enqueue_(std::move(enqueue)) {}

SecretWatches::~SecretWatches() { StopAll(); }

void SecretWatches::SetReferences(const SecretOwner& owner, const std::string& ns,
                                  const std::vector<std::string>& names) {
  std::set<std::string> wanted;
  for (const std::string& n : names) {
    if (!n.empty()) wanted.insert(ns + "/" + n);
  }
  std::vector<std::string> to_start;
  std::vector<std::unique_ptr<Watch>> to_stop;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    std::set<std::string>& current = refs_[owner];
    for (const std::string& key : current) {
      if (wanted.count(key) != 0) continue;
      auto& owners = owners_[key];
      owners.erase(owner);
      if (owners.empty()) {
        owners_.erase(key);
        auto it = watches_.find(key);
        if (it != watches_.end()) {
          to_stop.push_back(std::move(it->second));
          watches_.erase(it);
        }
      }
    }
    for (const std::string& key : wanted) {
      auto& owners = owners_[key];
      owners.insert(owner);
      if (watches_.count(key) == 0) {
        watches_[key] = nullptr;  // reserved: started below, outside the lock
        to_start.push_back(key);
      }
    }
    if (wanted.empty()) {
      refs_.erase(owner);
    } else {
      current = std::move(wanted);
    }
  }
  to_stop.clear();  // stops them, without the lock held
  for (const std::string& key : to_start) {
    const auto slash = key.find('/');
    std::unique_ptr<Watch> watch =
        factory_(key.substr(0, slash), key.substr(slash + 1), [this, key] { Changed(key); });
    std::lock_guard lock(mu_);
    auto it = watches_.find(key);
    // Unreferenced again (or stopped) while it was starting: let it go.
    if (it != watches_.end() && it->second == nullptr && !stopped_) {
      it->second = std::move(watch);
    } else {
      to_stop.push_back(std::move(watch));
    }
  }
  // Any watch dropped above is destroyed here, outside the lock.
}

void SecretWatches::Changed(const std::string& secret_key) {
  std::vector<SecretOwner> owners;
  {
    std::lock_guard lock(mu_);
    auto it = owners_.find(secret_key);
    if (it != owners_.end()) owners.assign(it->second.begin(), it->second.end());
  }
  for (const SecretOwner& o : owners) enqueue_(o);
}

void SecretWatches::StopAll() {
  std::map<std::string, std::unique_ptr<Watch>> watches;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    watches.swap(watches_);
    refs_.clear();
    owners_.clear();
  }
  watches.clear();
}

std::vector<std::string> SecretWatches::Watched() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [key, watch] : watches_) out.push_back(key);
  return out;
}

namespace {
class InformerWatch final : public SecretWatches::Watch {
 public:
  InformerWatch(const kube::Client& client, const std::string& ns, const std::string& name,
                std::function<void()> on_change)
      : informer_(client, kube::Secrets(), ns, Options(name)) {
    auto call = [on_change](auto&&...) { on_change(); };
    informer_.AddEventHandler({call, call, call});
    informer_.Start();
  }
  ~InformerWatch() override { informer_.Stop(); }

 private:
  static kube::InformerOptions Options(const std::string& name) {
    kube::InformerOptions o;
    o.field_selector = "metadata.name=" + name;
    return o;
  }
  kube::Informer informer_;
};
}  // namespace

SecretWatches::WatchFactory InformerSecretWatchFactory(const kube::Client& client) {
  return [&client](const std::string& ns, const std::string& name,
                   std::function<void()> on_change) -> std::unique_ptr<SecretWatches::Watch> {
    base::LogInfo("watching Secret", {{"namespace", ns}, {"name", name}});
    return std::make_unique<InformerWatch>(client, ns, name, std::move(on_change));
  };
}

}  // namespace pulse::controller
