// The informer: keeps a Store in step with the server for one resource (optionally one
// namespace and selectors) and tells event handlers what changed.
//
//   list (paged) -> Store::Replace -> add/update/delete for the difference -> synced
//   watch from the list's resourceVersion, with bookmarks -> apply each event to the store
//   server ends the watch (timeout)      -> watch again from the last resourceVersion seen
//   connection lost / 5xx / bad line     -> jittered backoff, watch again from the last RV
//   410 Gone / Expired (HTTP or ERROR)   -> relist; the diff reports what changed in the gap,
//                                           including deletes that were never seen as events
//
// Handlers run on the informer's own thread, in event order, and must be quick (typically:
// enqueue the key into a WorkQueue). Thread-safe: Start/Stop from any thread; the store may be
// read from any thread at any time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pulse/base/clock.h"
#include "pulse/http/client.h"
#include "pulse/kube/backoff.h"
#include "pulse/kube/resource.h"
#include "pulse/kube/store.h"

namespace pulse::kube {

class Client;

struct EventHandler {
  std::function<void(const ObjectPtr& object)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& new_object)> on_update;
  std::function<void(const ObjectPtr& last_known)> on_delete;
};

struct InformerOptions {
  std::string label_selector;
  std::string field_selector;
  long long page_size = 500;
  // Each watch asks the server to end after a random time in [min, 2*min) (spreads reconnects
  // of many informers, as client-go does); the client notices a dead connection after that
  // plus `watch_slack` without a byte.
  std::chrono::seconds min_watch_timeout{300};
  std::chrono::seconds watch_slack{30};
  BackoffOptions backoff;
  // Applied to each listed or watched object before it is stored and handed to the handlers,
  // e.g. to drop metadata.managedFields, which a cache of thousands of objects holds for
  // nothing. Empty = none.
  std::function<void(nlohmann::json&)> transform = {};
};

// Counters for tests and diagnostics.
struct InformerStats {
  long long lists = 0;
  long long watches = 0;
  long long relists_after_gone = 0;
  long long watch_errors = 0;
  long long events = 0;
  long long unknown_events = 0;
  long long bookmarks = 0;
};

class Informer {
 public:
  // `clock` paces the relist/rewatch backoff and judges whether a watch was productive; tests
  // pass a FakeClock so that backoff takes no real time. It must outlive the informer.
  Informer(const Client& client, Resource resource, std::string ns, InformerOptions options = {},
           base::Clock& clock = base::DefaultClock());
  ~Informer();  // Stop()
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Register before Start().
  void AddEventHandler(EventHandler handler);
  void Start();
  // Ends the watch at once (cancels the open request) and joins the thread. Idempotent.
  void Stop();

  bool HasSynced() const { return synced_.load(); }
  // Waits until the first list has been stored; false on timeout.
  bool WaitForSync(std::chrono::milliseconds timeout) const;
  const Store& store() const { return store_; }
  std::string LastResourceVersion() const;
  InformerStats stats() const;
  // The last error (empty when the latest attempt succeeded).
  std::string LastError() const;

 private:
  void Run();
  void ListAndReplace();
  // Returns true when a relist is needed (410), false when the watch should simply restart.
  bool WatchOnce();
  void Dispatch(const Store::Diff& diff);
  void SetError(const std::string& error);

  const Client& client_;
  const Resource resource_;
  const std::string ns_;
  const InformerOptions options_;
  std::vector<EventHandler> handlers_;
  Store store_;
  base::Clock& clock_;
  Backoff backoff_;
  base::Stopper stopper_;
  http::CancelToken cancel_;
  std::thread thread_;
  std::atomic<bool> synced_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable synced_cv_;
  std::string resource_version_;
  std::string last_error_;
  InformerStats stats_;
};

}  // namespace pulse::kube
