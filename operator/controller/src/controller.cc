#include "pulse/controller/controller.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <exception>

#include "pulse/base/log.h"
#include "pulse/kube/informer.h"
#include "pulse/kube/store.h"

namespace pulse::controller {

const char* ResultKindName(Result::Kind kind) {
  switch (kind) {
    case Result::Kind::kDone:
      return "done";
    case Result::Kind::kRequeueAfter:
      return "requeue_after";
    case Result::Kind::kRetriableError:
      return "retriable_error";
    case Result::Kind::kTerminalError:
      return "terminal_error";
  }
  return "unknown";
}

// The series of one controller. Families are shared between controllers (prometheus-cpp's
// builders return the existing family for the same name on one registry).
class ControllerMetrics {
 public:
  ControllerMetrics(prometheus::Registry& registry, const std::string& name) {
    auto& total = prometheus::BuildCounter()
                      .Name("pulse_operator_reconcile_total")
                      .Help("Reconciles by controller and result.")
                      .Register(registry);
    for (auto kind : {Result::Kind::kDone, Result::Kind::kRequeueAfter,
                      Result::Kind::kRetriableError, Result::Kind::kTerminalError}) {
      results[static_cast<int>(kind)] =
          &total.Add({{"controller", name}, {"result", ResultKindName(kind)}});
    }
    errors = &prometheus::BuildCounter()
                  .Name("pulse_operator_reconcile_errors_total")
                  .Help("Reconciles that failed (retriable or terminal), by controller.")
                  .Register(registry)
                  .Add({{"controller", name}});
    duration = &prometheus::BuildHistogram()
                    .Name("pulse_operator_reconcile_duration_seconds")
                    .Help("Time spent in one Reconcile call.")
                    .Register(registry)
                    .Add({{"controller", name}},
                         prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.025, 0.05,
                                                                 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    depth = &prometheus::BuildGauge()
                 .Name("pulse_operator_workqueue_depth")
                 .Help("Keys waiting in the work queue to be handed to a worker.")
                 .Register(registry)
                 .Add({{"controller", name}});
    latency = &prometheus::BuildHistogram()
                   .Name("pulse_operator_workqueue_latency_seconds")
                   .Help("Time from enqueueing a key to a worker picking it up.")
                   .Register(registry)
                   .Add({{"controller", name}},
                        prometheus::Histogram::BucketBoundaries{0.0001, 0.001, 0.005, 0.01, 0.05,
                                                                0.1, 0.5, 1, 5, 10, 60});
  }
  prometheus::Counter* results[4] = {};
  prometheus::Counter* errors = nullptr;
  prometheus::Histogram* duration = nullptr;
  prometheus::Gauge* depth = nullptr;
  prometheus::Histogram* latency = nullptr;
};

namespace {
double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}
}  // namespace

Controller::Controller(ControllerOptions options, Reconciler& reconciler,
                       prometheus::Registry& registry, base::Clock& clock)
    : options_(std::move(options)),
      reconciler_(reconciler),
      clock_(clock),
      metrics_(std::make_unique<ControllerMetrics>(registry, options_.name)),
      queue_(options_.queue, clock) {}

Controller::~Controller() { Stop(); }

void Controller::Watch(kube::Informer& informer) {
  auto enqueue = [this](const kube::ObjectPtr& object) {
    // Handlers must not throw (informer.h): a nameless object is skipped.
    if (!object || !object->contains("metadata")) return;
    try {
      Enqueue(kube::KeyOf(*object));
    } catch (const std::exception&) {
    }
  };
  kube::EventHandler handler;
  handler.on_add = enqueue;
  handler.on_update = [enqueue](const kube::ObjectPtr&, const kube::ObjectPtr& now) {
    enqueue(now);
  };
  handler.on_delete = enqueue;
  informer.AddEventHandler(std::move(handler));
}

void Controller::Enqueue(const std::string& key) {
  {
    std::lock_guard lock(mu_);
    // The first add of a waiting key sets its latency start; later adds de-duplicate in the
    // queue and must not make the key look younger.
    enqueued_at_.emplace(key, clock_.Now());
  }
  queue_.Add(key);
  UpdateDepth();
}

void Controller::EnqueueAfter(const std::string& key, std::chrono::milliseconds delay) {
  queue_.AddAfter(key, delay);
}

void Controller::Start() {
  std::lock_guard lock(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { Worker(); });
  }
  base::LogInfo("controller started",
                {{"controller", options_.name}, {"workers", options_.workers}});
}

void Controller::Stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    workers.swap(workers_);
  }
  if (workers.empty()) {
    queue_.ShutDown();  // never started: nothing in flight to drain
  } else {
    // The keys in hand finish; the backlog is dropped (work_queue.h): after a stop by signal the
    // client no longer rate-limits, and 10,000 queued status writes took 69 s to drain.
    queue_.ShutDownAndDiscard();
  }
  for (auto& t : workers) t.join();
}

size_t Controller::Pending() const { return queue_.Len() + in_flight_.load(); }

void Controller::UpdateDepth() { metrics_->depth->Set(static_cast<double>(queue_.Len())); }

void Controller::Worker() {
  while (true) {
    std::optional<std::string> key = queue_.Get();
    if (!key) return;
    ++in_flight_;
    UpdateDepth();
    ProcessOne(*key);
    queue_.Done(*key);
    --in_flight_;
  }
}

void Controller::ProcessOne(const std::string& key) {
  const auto start = clock_.Now();
  {
    std::lock_guard lock(mu_);
    auto it = enqueued_at_.find(key);
    if (it != enqueued_at_.end()) {
      metrics_->latency->Observe(Seconds(start - it->second));
      enqueued_at_.erase(it);
    }
  }
  Result result;
  try {
    result = reconciler_.Reconcile(key);
  } catch (const std::exception& e) {
    result = Result::Retriable(std::string("exception: ") + e.what());
  } catch (...) {
    result = Result::Retriable("unknown exception");
  }
  metrics_->duration->Observe(Seconds(clock_.Now() - start));
  metrics_->results[static_cast<int>(result.kind)]->Increment();
  switch (result.kind) {
    case Result::Kind::kDone:
      queue_.Forget(key);
      break;
    case Result::Kind::kRequeueAfter:
      queue_.Forget(key);
      queue_.AddAfter(key, result.after);
      break;
    case Result::Kind::kRetriableError:
      metrics_->errors->Increment();
      base::LogWarn("reconcile failed, will retry", {{"controller", options_.name},
                                                     {"key", key},
                                                     {"error", result.error},
                                                     {"requeues", queue_.NumRequeues(key)}});
      queue_.AddRateLimited(key);
      break;
    case Result::Kind::kTerminalError:
      metrics_->errors->Increment();
      base::LogError("reconcile failed, not retrying",
                     {{"controller", options_.name}, {"key", key}, {"error", result.error}});
      queue_.Forget(key);
      break;
  }
}

}  // namespace pulse::controller
