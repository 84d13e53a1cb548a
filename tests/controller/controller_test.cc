// The Controller noun on a FakeClock with a scripted fake reconciler: results decide requeue,
// backoff and drop; metrics exist at zero before anything runs and count afterwards. No sleeps:
// every wait is on an observable condition with a deadline.
#include "pulse/controller/controller.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "pulse/testing/eventually.h"

namespace pulse::controller {
namespace {

using namespace std::chrono_literals;
using pulse::testing::Eventually;

// Returns the scripted results for each key in order, then Done; counts calls.
class ScriptedReconciler : public Reconciler {
 public:
  void Script(const std::string& key, std::vector<Result> results) {
    std::lock_guard lock(mu_);
    script_[key] = std::deque<Result>(results.begin(), results.end());
  }
  Result Reconcile(const std::string& key) override {
    std::lock_guard lock(mu_);
    ++calls_[key];
    auto& q = script_[key];
    if (q.empty()) return Result::Done();
    Result r = q.front();
    q.pop_front();
    return r;
  }
  int Calls(const std::string& key) {
    std::lock_guard lock(mu_);
    return calls_[key];
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::deque<Result>> script_;
  std::map<std::string, int> calls_;
};

std::string Metrics(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

class ControllerTest : public ::testing::Test {
 protected:
  base::FakeClock clock_;
  prometheus::Registry registry_;
  ScriptedReconciler reconciler_;
  std::unique_ptr<Controller> Make(int workers = 2) {
    return std::make_unique<Controller>(ControllerOptions{"test", workers, {}}, reconciler_,
                                        registry_, clock_);
  }
};

TEST_F(ControllerTest, MetricsExistAtZeroBeforeAnythingRuns) {
  auto c = Make();
  const std::string m = Metrics(registry_);
  for (const char* result : {"done", "requeue_after", "retriable_error", "terminal_error"}) {
    EXPECT_TRUE(Has(m, std::string("pulse_operator_reconcile_total{controller=\"test\",result=\"") +
                           result + "\"} 0"))
        << m;
  }
  EXPECT_TRUE(Has(m, "pulse_operator_reconcile_errors_total{controller=\"test\"} 0")) << m;
  EXPECT_TRUE(Has(m, "pulse_operator_reconcile_duration_seconds_count{controller=\"test\"} 0"))
      << m;
  EXPECT_TRUE(Has(m, "pulse_operator_workqueue_depth{controller=\"test\"} 0")) << m;
  EXPECT_TRUE(Has(m, "pulse_operator_workqueue_latency_seconds_count{controller=\"test\"} 0")) << m;
}

TEST_F(ControllerTest, DoneIsReconciledOnceAndCounted) {
  auto c = Make();
  c->Enqueue("ns/a");
  c->Enqueue("ns/a");  // de-duplicated while waiting
  EXPECT_TRUE(Has(Metrics(registry_), "pulse_operator_workqueue_depth{controller=\"test\"} 1"));
  c->Start();
  ASSERT_TRUE(Eventually([&] { return c->Pending() == 0 && reconciler_.Calls("ns/a") == 1; }));
  c->Stop();
  EXPECT_EQ(reconciler_.Calls("ns/a"), 1);
  const std::string m = Metrics(registry_);
  EXPECT_TRUE(Has(m, "pulse_operator_reconcile_total{controller=\"test\",result=\"done\"} 1")) << m;
  EXPECT_TRUE(Has(m, "pulse_operator_reconcile_duration_seconds_count{controller=\"test\"} 1"));
  EXPECT_TRUE(Has(m, "pulse_operator_workqueue_latency_seconds_count{controller=\"test\"} 1"));
  EXPECT_TRUE(Has(m, "pulse_operator_reconcile_errors_total{controller=\"test\"} 0"));
}

TEST_F(ControllerTest, KeysEnqueuedBeforeStartWaitForIt) {
  auto c = Make();
  c->Enqueue("ns/early");
  EXPECT_EQ(reconciler_.Calls("ns/early"), 0);
  c->Start();
  ASSERT_TRUE(Eventually([&] { return reconciler_.Calls("ns/early") == 1; }));
}

TEST_F(ControllerTest, RequeueAfterComesBackOnlyWhenTheClockGetsThere) {
  auto c = Make();
  reconciler_.Script("ns/r", {Result::RequeueAfter(10s)});
  c->Enqueue("ns/r");
  c->Start();
  ASSERT_TRUE(Eventually([&] { return reconciler_.Calls("ns/r") == 1 && c->Pending() == 0; }));
  clock_.Advance(9s);
  EXPECT_EQ(c->queue().Len(), 0u);
  EXPECT_EQ(reconciler_.Calls("ns/r"), 1);
  clock_.Advance(1s);
  ASSERT_TRUE(Eventually([&] { return reconciler_.Calls("ns/r") == 2; }));
  EXPECT_TRUE(
      Has(Metrics(registry_),
          "pulse_operator_reconcile_total{controller=\"test\",result=\"requeue_after\"} 1"));
}

TEST_F(ControllerTest, RetriableErrorIsRetriedWithGrowingBackoff) {
  auto c = Make();
  reconciler_.Script(
      "ns/e", {Result::Retriable("boom"), Result::Retriable("boom"), Result::Retriable("boom")});
  c->Enqueue("ns/e");
  c->Start();
  ASSERT_TRUE(Eventually([&] { return reconciler_.Calls("ns/e") == 1; }));
  ASSERT_TRUE(Eventually([&] { return c->queue().NumRequeues("ns/e") == 1; }));
  // First retry after the base delay (5 ms), the second after 10 ms: not before.
  clock_.Advance(5ms);
  ASSERT_TRUE(Eventually([&] { return reconciler_.Calls("ns/e") == 2; }));
  ASSERT_TRUE(Eventually([&] { return c->queue().NumRequeues("ns/e") == 2; }));
  clock_.Advance(9ms);
  EXPECT_EQ(c->queue().Len(), 0u);
  EXPECT_EQ(reconciler_.Calls("ns/e"), 2);
  clock_.Advance(1ms);
  ASSERT_TRUE(Eventually([&] { return reconciler_.Calls("ns/e") == 3; }));
  ASSERT_TRUE(Eventually([&] { return c->queue().NumRequeues("ns/e") == 3; }));
  clock_.Advance(20ms);
  ASSERT_TRUE(Eventually([&] { return reconciler_.Calls("ns/e") == 4; }));
  // Done at last: the backoff is forgotten.
  ASSERT_TRUE(Eventually([&] { return c->queue().NumRequeues("ns/e") == 0; }));
  const std::string m = Metrics(registry_);
  EXPECT_TRUE(Has(m, "pulse_operator_reconcile_errors_total{controller=\"test\"} 3")) << m;
  EXPECT_TRUE(
      Has(m, "pulse_operator_reconcile_total{controller=\"test\",result=\"retriable_error\"} 3"));
  EXPECT_TRUE(Has(m, "pulse_operator_reconcile_total{controller=\"test\",result=\"done\"} 1"));
}

TEST_F(ControllerTest, TerminalErrorIsCountedAndNotRetried) {
  auto c = Make();
  reconciler_.Script("ns/t", {Result::Terminal("never works")});
  c->Enqueue("ns/t");
  c->Start();
  ASSERT_TRUE(Eventually([&] { return reconciler_.Calls("ns/t") == 1 && c->Pending() == 0; }));
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(c->queue().Len(), 0u);
  EXPECT_EQ(c->queue().NumRequeues("ns/t"), 0);
  c->Stop();
  EXPECT_EQ(reconciler_.Calls("ns/t"), 1);
  const std::string m = Metrics(registry_);
  EXPECT_TRUE(Has(m, "pulse_operator_reconcile_errors_total{controller=\"test\"} 1"));
  EXPECT_TRUE(
      Has(m, "pulse_operator_reconcile_total{controller=\"test\",result=\"terminal_error\"} 1"));
}

TEST_F(ControllerTest, ExceptionCountsAsRetriable) {
  class Throwing : public Reconciler {
   public:
    Result Reconcile(const std::string&) override {
      if (++calls == 1) throw std::runtime_error("oops");
      return Result::Done();
    }
    std::atomic<int> calls{0};
  } throwing;
  Controller c({"throw", 1, {}}, throwing, registry_, clock_);
  c.Enqueue("k");
  c.Start();
  ASSERT_TRUE(Eventually([&] { return throwing.calls == 1 && c.queue().NumRequeues("k") == 1; }));
  clock_.Advance(5ms);
  ASSERT_TRUE(Eventually([&] { return throwing.calls == 2; }));
}

TEST_F(ControllerTest, StopFinishesInFlightWorkDropsTheBacklogAndIsIdempotent) {
  // Each reconcile takes 20 ms; 50 keys would take a second to drain on one worker.
  class SlowReconciler : public Reconciler {
   public:
    Result Reconcile(const std::string&) override {
      ++started;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ++finished;
      return Result::Done();
    }
    std::atomic<int> started{0}, finished{0};
  } slow;
  Controller c(ControllerOptions{"slow", 1, {}}, slow, registry_, clock_);
  for (int i = 0; i < 50; ++i) c.Enqueue("ns/k" + std::to_string(i));
  c.Start();
  ASSERT_TRUE(Eventually([&] { return slow.started.load() >= 1; }));
  const auto t0 = std::chrono::steady_clock::now();
  c.Stop();
  c.Stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  // What was in hand finished; the backlog was left (the next leader relists).
  EXPECT_EQ(slow.started.load(), slow.finished.load());
  EXPECT_LT(slow.finished.load(), 10);
  EXPECT_LT(took, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace pulse::controller
