// The Controller (controller-runtime's noun): informer events -> WorkQueue -> N worker threads
// that call one Reconciler, with the reconcile result deciding what happens to the key:
//   done             Forget (reset backoff)
//   requeue-after d  Forget, AddAfter(d)
//   retriable error  AddRateLimited (per-key exponential backoff), counted as an error
//   terminal error   Forget, logged and counted, not retried (a later event brings it back)
// An exception escaping the reconciler counts as a retriable error.
//
// Metrics (registered at construction, so every series exists at zero before anything runs):
//   pulse_operator_reconcile_total{controller,result}       result = done|requeue_after|
//                                                           retriable_error|terminal_error
//   pulse_operator_reconcile_errors_total{controller}
//   pulse_operator_reconcile_duration_seconds{controller}   histogram
//   pulse_operator_workqueue_depth{controller}              keys waiting to be handed out
//   pulse_operator_workqueue_latency_seconds{controller}    histogram: Enqueue -> worker pickup
//
// Keys may be enqueued before Start() (the informers' initial lists fill the queue while the
// replica waits for leadership); workers begin handing them out on Start(). Stop() shuts the
// queue down with drain: in-flight reconciles finish, then the workers are joined.
//
// Thread-safety: thread-safe. Start and Stop are each called once, Stop after Start or alone.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pulse/base/clock.h"
#include "pulse/controller/reconciler.h"
#include "pulse/kube/work_queue.h"

namespace prometheus {
class Registry;
}

namespace pulse::kube {
class Informer;
}

namespace pulse::controller {

struct ControllerOptions {
  std::string name;  // the `controller` label, e.g. "apimonitor"
  int workers = 2;
  kube::WorkQueueOptions queue;
};

class ControllerMetrics;

class Controller {
 public:
  // `reconciler`, `registry` and `clock` must outlive the controller.
  Controller(ControllerOptions options, Reconciler& reconciler, prometheus::Registry& registry,
             base::Clock& clock = base::DefaultClock());
  ~Controller();  // Stop()
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Enqueues the key of every object the informer adds, updates or deletes. Call before the
  // informer starts.
  void Watch(kube::Informer& informer);
  // Enqueues a key (de-duplicated while it waits).
  void Enqueue(const std::string& key);
  void EnqueueAfter(const std::string& key, std::chrono::milliseconds delay);

  void Start();
  // Stops taking new keys, finishes in-flight reconciles, joins the workers. Idempotent.
  void Stop();

  const std::string& name() const { return options_.name; }
  // Keys waiting plus keys being reconciled: 0 when the controller has caught up.
  size_t Pending() const;
  kube::WorkQueue& queue() { return queue_; }

 private:
  void Worker();
  void ProcessOne(const std::string& key);
  void UpdateDepth();

  const ControllerOptions options_;
  Reconciler& reconciler_;
  base::Clock& clock_;
  std::unique_ptr<ControllerMetrics> metrics_;
  kube::WorkQueue queue_;
  std::mutex mu_;  // guards enqueued_at_, workers_, started_, stopped_
  std::map<std::string, std::chrono::steady_clock::time_point> enqueued_at_;
  std::vector<std::thread> workers_;
  bool started_ = false;
  bool stopped_ = false;
  std::atomic<size_t> in_flight_{0};
};

}  // namespace pulse::controller
