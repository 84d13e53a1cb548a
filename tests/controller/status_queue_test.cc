// The status queue between the per-object reconcilers and the API (status_queue.h): the first
// delivery of a starting operator is written before any status, each status is written once per
// distinct content (the latest wanted one, with the rule ConfigMap names that delivery fixed), and
// a failed write is kept for the retry.
#include "pulse/controller/status_queue.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>

#include "fake_object_writer.h"
#include "pulse/controller/api_monitor_reconciler.h"
#include "pulse/controller/config_reconciler.h"
#include "pulse/kube/api_error.h"

namespace pulse::controller {
namespace {

using testing::FakeObjectWriter;

Json Monitor(const std::string& name, const std::string& interval = "30s", int generation = 1) {
  return {
      {"apiVersion", "monitoring.pulse.dev/v1alpha1"},
      {"kind", "ApiMonitor"},
      {"metadata",
       {{"name", name}, {"namespace", "shop"}, {"uid", "uid-" + name}, {"generation", generation}}},
      {"spec",
       {{"staticTargets", {{{"targets", {name + ".example:8080"}}}}},
        {"endpoints", {{{"interval", interval}}}}}}};
}

// Records every write in one sequence (Apply and PatchStatus interleaved, as they happened),
// and fails status writes while `fail_status` is set.
class OrderedWriter : public FakeObjectWriter {
 public:
  void Apply(const kube::Resource& r, const std::string& ns, const std::string& name,
             const Json& object) override {
    FakeObjectWriter::Apply(r, ns, name, object);
    order.push_back("apply " + r.resource + "/" + name);
  }
  void PatchStatus(const kube::Resource& r, const std::string& ns, const std::string& name,
                   const Json& status) override {
    if (fail_status) throw kube::ApiError(kube::Reason::kServerError, 500, "unavailable");
    FakeObjectWriter::PatchStatus(r, ns, name, status);
    order.push_back("status " + r.resource + "/" + name);
  }
  std::vector<std::string> order;
  bool fail_status = false;
};

class StatusQueueTest : public ::testing::Test {
 protected:
  StatusQueueTest() {
    statuses_.SetEnqueue([this](const std::string& key) { enqueued_.push_back(key); });
    options_.delivery.namespace_ = "monitoring";
    options_.rule_layout = &layout_;
    options_.rendered = [this] { statuses_.Open(); };
  }
  ObjectReconcilerDeps Deps() {
    ObjectReconcilerDeps deps{[this](const std::string& key) -> kube::ObjectPtr {
                                auto it = store_.find(key);
                                if (it == store_.end()) return nullptr;
                                return std::make_shared<const Json>(it->second);
                              },
                              writer_, accepted_, [] {}, clock_};
    deps.rule_layout = &layout_;
    deps.statuses = &statuses_;
    return deps;
  }
  void Store(const Json& object) {
    store_["shop/" + object["metadata"].value("name", "")] = object;
  }
  // What the status worker does: write every key handed to it.
  void DrainStatuses() {
    std::vector<std::string> keys;
    keys.swap(enqueued_);
    for (const std::string& key : keys) {
      EXPECT_EQ(statuses_.Reconcile(key).kind, Result::Kind::kDone) << key;
    }
  }
  long StatusWrites(const std::string& name) {
    return std::count(writer_.status_patches.begin(), writer_.status_patches.end(),
                      "apimonitors/shop/" + name);
  }

  base::FakeClock clock_;
  prometheus::Registry registry_;
  OrderedWriter writer_;
  AcceptedObjects accepted_{&registry_};
  RuleLayout layout_{[] {
    DeliveryOptions d;
    d.namespace_ = "monitoring";
    return d;
  }()};
  StatusQueue statuses_{writer_, &layout_};
  ConfigReconcilerOptions options_;
  std::map<std::string, Json> store_;
  std::vector<std::string> enqueued_;
};

TEST_F(StatusQueueTest, FirstDeliveryIsWrittenBeforeAnyStatusAndEachStatusOnce) {
  ApiMonitorReconciler monitors(Deps());
  for (const char* name : {"a", "b", "c"}) {
    Store(Monitor(name));
    EXPECT_EQ(monitors.Reconcile(std::string("shop/") + name).kind, Result::Kind::kDone);
  }
  // Judged, in memory: nothing written, nothing handed to the status worker yet.
  EXPECT_TRUE(writer_.order.empty());
  EXPECT_TRUE(enqueued_.empty());
  EXPECT_EQ(statuses_.Waiting(), 3u);
  EXPECT_EQ(accepted_.Count("ApiMonitor", true), 3u);

  ConfigReconciler config(options_, accepted_, writer_, &registry_);
  ASSERT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  EXPECT_TRUE(statuses_.IsOpen());
  EXPECT_EQ(enqueued_.size(), 3u);
  DrainStatuses();

  // Every apply of the delivery precedes the first status write; one write per monitor.
  const auto first_status =
      std::find_if(writer_.order.begin(), writer_.order.end(),
                   [](const std::string& s) { return s.starts_with("status"); });
  ASSERT_NE(first_status, writer_.order.end());
  EXPECT_NE(writer_.order.front().find("apply"), std::string::npos);
  EXPECT_TRUE(std::none_of(first_status, writer_.order.end(),
                           [](const std::string& s) { return s.starts_with("apply"); }));
  EXPECT_EQ(writer_.status_patches.size(), 3u);
  // With the rule ConfigMaps the delivery made, named at write time (not the live status' none).
  for (const char* name : {"a", "b", "c"}) {
    const Json& status = writer_.last_status[std::string("apimonitors/shop/") + name];
    ASSERT_TRUE(status["generated"].contains("ruleConfigMaps")) << status.dump();
    for (const Json& cm : status["generated"]["ruleConfigMaps"]) {
      EXPECT_EQ(writer_.objects.count({"configmaps", "monitoring", cm.get<std::string>()}), 1u)
          << cm;
    }
  }
  // The delivery named nobody to reconcile again for the rule layout (nothing was noted).
  EXPECT_EQ(StatusWrites("a"), 1);
}

TEST_F(StatusQueueTest, AStatusIsWrittenOncePerDistinctContentAndTheLatestWins) {
  ApiMonitorReconciler monitors(Deps());
  Store(Monitor("a"));
  (void)monitors.Reconcile("shop/a");
  ConfigReconciler config(options_, accepted_, writer_, &registry_);
  ASSERT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  DrainStatuses();
  ASSERT_EQ(StatusWrites("a"), 1);

  // Reconciled again while the informer still shows the old (empty) status: the wanted status
  // is the one just written, so nothing is sent.
  (void)monitors.Reconcile("shop/a");
  DrainStatuses();
  EXPECT_EQ(StatusWrites("a"), 1);
  // The informer shows our write: still nothing.
  store_["shop/a"]["status"] = writer_.last_status["apimonitors/shop/a"];
  (void)monitors.Reconcile("shop/a");
  DrainStatuses();
  EXPECT_EQ(StatusWrites("a"), 1);

  // Two changes before the worker gets to it: one write, of the latest.
  Json v2 = Monitor("a", "45s", 2);
  v2["status"] = store_["shop/a"]["status"];
  Store(v2);
  (void)monitors.Reconcile("shop/a");
  Json v3 = Monitor("a", "50s", 3);
  v3["status"] = v2["status"];
  Store(v3);
  (void)monitors.Reconcile("shop/a");
  DrainStatuses();
  EXPECT_EQ(StatusWrites("a"), 2);
  EXPECT_EQ(writer_.last_status["apimonitors/shop/a"]["observedGeneration"], 3);

  // Someone else changed the status: the wanted one is written again (content, not history).
  Json edited = v3;
  edited["status"] = Json{{"observedGeneration", 1}};
  Store(edited);
  (void)monitors.Reconcile("shop/a");
  DrainStatuses();
  EXPECT_EQ(StatusWrites("a"), 3);
}

TEST_F(StatusQueueTest, AFailedWriteIsKeptForTheRetryAndADeletedObjectIsForgotten) {
  ApiMonitorReconciler monitors(Deps());
  Store(Monitor("a"));
  Store(Monitor("b"));
  (void)monitors.Reconcile("shop/a");
  (void)monitors.Reconcile("shop/b");
  statuses_.Open();  // (no delivery needed for this: names stay as the live status has them)
  writer_.fail_status = true;
  EXPECT_EQ(statuses_.Reconcile(StatusQueue::KeyOf({"ApiMonitor", "shop/a"})).kind,
            Result::Kind::kRetriableError);
  EXPECT_EQ(statuses_.Waiting(), 2u);
  writer_.fail_status = false;
  EXPECT_EQ(statuses_.Reconcile(StatusQueue::KeyOf({"ApiMonitor", "shop/a"})).kind,
            Result::Kind::kDone);
  EXPECT_EQ(StatusWrites("a"), 1);

  // b is deleted before its status went out: nothing is written for it.
  store_.erase("shop/b");
  (void)monitors.Reconcile("shop/b");
  EXPECT_EQ(statuses_.Waiting(), 0u);
  DrainStatuses();
  EXPECT_EQ(StatusWrites("b"), 0);
}

}  // namespace
}  // namespace pulse::controller
