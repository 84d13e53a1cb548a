// The rate-limited, de-duplicating work queue between informers and reconcilers (the noun from
// client-go/controller-runtime). Keys are "namespace/name" strings.
//
// Guarantees:
//  - a key is queued at most once however often it is added while waiting (de-duplication);
//  - a key is never handed to two workers at once: added while being processed, it is queued
//    again only when the worker calls Done();
//  - AddRateLimited delays a failing key by per-key exponential backoff; Forget resets it;
//  - ShutDown: new adds are ignored, queued keys are still handed out, then Get returns nullopt;
//    ShutDownWithDrain additionally blocks until every handed-out key is Done;
//    ShutDownAndDiscard drops the queued keys instead (Get returns nullopt at once) and blocks
//    until the handed-out ones are Done: how a controller stops, its backlog left to the next
//    leader, which relists anyway.
// Delays run on an injected base::Clock (the process-wide real clock by default), so tests drive
// AddAfter/AddRateLimited with a base::FakeClock instead of waiting.
// Thread-safe: any number of producers and workers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "pulse/base/clock.h"
#include "pulse/kube/rate_limiter.h"

namespace pulse::kube {

struct WorkQueueOptions {
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{std::chrono::seconds(1000)};
};

class WorkQueue {
 public:
  // `clock` must outlive the queue.
  explicit WorkQueue(WorkQueueOptions options = {}, base::Clock& clock = base::DefaultClock());
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  // Adds after `delay` (a later AddAfter of a key already waiting keeps the earlier time).
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // AddAfter with the key's next exponential-backoff delay.
  void AddRateLimited(const std::string& key);
  // The key succeeded: reset its backoff.
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

  // Blocks for the next key; nullopt once shut down and empty.
  std::optional<std::string> Get();
  // The worker finished `key` (success or not).
  void Done(const std::string& key);

  void ShutDown();
  void ShutDownWithDrain();
  void ShutDownAndDiscard();
  bool ShuttingDown() const;
  size_t Len() const;  // keys ready to be handed out (including delayed keys now due)

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  void AddLocked(const std::string& key);
  void AddAfterLocked(const std::string& key, std::chrono::milliseconds delay);
  void MoveDueLocked(TimePoint now);
  // Ignores adds from now on and drops the delayed keys (and the queued ones when asked).
  void ShutDownLocked(bool discard_queued);

  base::Clock& clock_;
  ItemExponentialRateLimiter limiter_;
  mutable std::mutex mu_;
  std::condition_variable cv_;       // a key became ready, a delay is due, or shutdown
  std::condition_variable drained_;  // processing became empty
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;  // queued or to be re-queued on Done
  std::set<std::string> processing_;
  std::multimap<TimePoint, std::string> waiting_;
  std::map<std::string, TimePoint> waiting_at_;
  bool shutting_down_ = false;
  // Declared last: destroyed first, so no clock callback runs into a half-destroyed queue.
  base::ClockSubscription on_clock_advance_;
};

}  // namespace pulse::kube
