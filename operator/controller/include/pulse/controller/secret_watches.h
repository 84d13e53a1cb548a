// Watches exactly the Secrets the custom resources reference, and nothing else, so that a
// changed (or newly created, or deleted) Secret re-enqueues exactly the objects that reference
// it. Issue 10 forbids a cluster-wide Secret watch; of the two ways around it we watch **by
// name**: per referenced Secret one list+watch with fieldSelector=metadata.name=<name> in its
// namespace, started when the first object references it and stopped when the last reference
// goes. Watching by label would need the user to label every Secret they reference (a Secret
// the operator does not own), and a reference to an unlabelled Secret would silently never
// re-trigger; by name works for any Secret as it is. The price is RBAC: a fieldSelector watch
// is a list/watch on the collection, so list/watch on secrets cannot be narrowed by
// resourceNames (charts/pulse/files/operator-rbac.yaml says so). The number of watches is the
// number of distinct referenced Secrets (one connection each), which stays small in practice.
//
//   reconciler ─ SetReferences(owner, ns, names) ─► start watches for new (ns, name),
//                                                     stop those no owner references any more
//   watch event on (ns, name) ─► enqueue(kind, key) of every owner referencing it
//
// Thread-safety: thread-safe. Watches are started and stopped outside the lock, so an event
// handler (which takes the lock) can never deadlock with a reconciler stopping its watch.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pulse/controller/accepted_objects.h"

namespace pulse::kube {
class Client;
}

namespace pulse::controller {

// A referencing object: its kind ("ApiMonitor", "Exporter") and key ("namespace/name").
using SecretOwner = ObjectRef;

class SecretWatches {
 public:
  // One running watch; destroying it stops it.
  class Watch {
   public:
    virtual ~Watch() = default;
  };
  // Starts a watch of Secret `ns`/`name` that calls `on_change` on every add, update and delete
  // (including the initial list, so a Secret created between a reconciler's GET and the start of
  // the watch is not missed).
  using WatchFactory = std::function<std::unique_ptr<Watch>(
      const std::string& ns, const std::string& name, std::function<void()> on_change)>;
  using Enqueue = std::function<void(const SecretOwner& owner)>;

  SecretWatches(WatchFactory factory, Enqueue enqueue);
  ~SecretWatches();  // StopAll()
  SecretWatches(const SecretWatches&) = delete;
  SecretWatches& operator=(const SecretWatches&) = delete;

  // The Secrets (names in `ns`) `owner` references now; an empty list forgets the owner.
  void SetReferences(const SecretOwner& owner, const std::string& ns,
                     const std::vector<std::string>& names);
  void StopAll();

  // "ns/name" of every watched Secret, sorted (for tests and diagnostics).
  std::vector<std::string> Watched() const;

 private:
  void Changed(const std::string& secret_key);

  const WatchFactory factory_;
  const Enqueue enqueue_;
  mutable std::mutex mu_;
  bool stopped_ = false;
  std::map<SecretOwner, std::set<std::string>> refs_;      // owner -> "ns/name"
  std::map<std::string, std::set<SecretOwner>> owners_;    // "ns/name" -> owners
  std::map<std::string, std::unique_ptr<Watch>> watches_;  // "ns/name" -> watch
};

// The production factory: a kube::Informer on v1 secrets in `ns` with
// fieldSelector=metadata.name=<name>. `client` must outlive every watch.
SecretWatches::WatchFactory InformerSecretWatchFactory(const kube::Client& client);

}  // namespace pulse::controller
