// Event aggregation against the real kube-apiserver (fixture "kube"): repeats become one Event
// with a series count, read back from the API.
#include "pulse/kube/event_recorder.h"

#include <gtest/gtest.h>

#include "kube_test_env.h"
#include "pulse/base/clock.h"
#include "pulse/kube/rest_client.h"

namespace pulse::kube {
namespace {

using namespace std::chrono_literals;
using testing::AdminConfig;
using testing::ConfigMap;
using testing::CreateNamespace;
using testing::Kubectl;

class EventRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = std::make_unique<Client>(AdminConfig());
    ns_ = CreateNamespace(*client_, "events");
    subject_ = client_->Create(ConfigMaps(), ns_, ConfigMap("subject"));
    subject_["apiVersion"] = "v1";
    subject_["kind"] = "ConfigMap";
  }
  EventRecorderOptions Options() {
    EventRecorderOptions o;
    o.reporting_controller = "pulse.dev/test";
    o.reporting_instance = "test-instance";
    o.clock = &clock_;
    return o;
  }
  // The namespace's Events, oldest first.
  std::vector<Json> Events() const {
    Json list = client_->List(kube::Events(), ns_);
    std::vector<Json> out(list["items"].begin(), list["items"].end());
    std::sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
      return a["metadata"]["creationTimestamp"] < b["metadata"]["creationTimestamp"] ||
             (a["metadata"]["creationTimestamp"] == b["metadata"]["creationTimestamp"] &&
              a["metadata"]["name"] < b["metadata"]["name"]);
    });
    return out;
  }
  static long long Count(const Json& event) {
    return event.contains("series") ? event["series"]["count"].get<long long>() : 1;
  }

  base::FakeClock clock_;
  std::unique_ptr<Client> client_;
  std::string ns_;
  Json subject_;
};

TEST_F(EventRecorderTest, RepeatsBecomeOneEventWithASeriesCount) {
  EventRecorderOptions o = Options();
  o.series_update_interval = 0s;  // every repeat is written, so the count is exact at once
  EventRecorder recorder(*client_, o);
  for (int i = 0; i < 5; ++i) {
    Json written =
        recorder.Record(subject_, EventType::kWarning, "InvalidSpec", "Validate", "bad field");
    ASSERT_FALSE(written.is_null()) << i;
    clock_.Advance(1s);
  }
  std::vector<Json> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["reason"], "InvalidSpec");
  EXPECT_EQ(events[0]["regarding"]["uid"], subject_["metadata"]["uid"]);
  EXPECT_EQ(events[0]["series"]["count"], 5);
  EXPECT_EQ(events[0]["series"]["lastObservedTime"], "2026-01-01T00:00:04.000000Z");
  EXPECT_EQ(events[0]["eventTime"], "2026-01-01T00:00:00.000000Z") << "the first occurrence";

  // Another reason, another type or another note is another Event.
  recorder.Record(subject_, EventType::kWarning, "SecretMissing", "Validate", "bad field");
  recorder.Record(subject_, EventType::kNormal, "InvalidSpec", "Validate", "bad field");
  recorder.Record(subject_, EventType::kWarning, "InvalidSpec", "Validate", "other field");
  events = Events();
  ASSERT_EQ(events.size(), 4u);
  for (size_t i = 1; i < events.size(); ++i) EXPECT_EQ(Count(events[i]), 1) << events[i].dump();

  std::string out;
  ASSERT_EQ(Kubectl("-n " + ns_ + " events --for configmap/subject", &out), 0) << out;
  EXPECT_NE(out.find("(x5 over"), std::string::npos) << "kubectl shows the count:\n" << out;
}

TEST_F(EventRecorderTest, RepeatsBetweenWritesAccumulateIntoTheNextWrite) {
  EventRecorder recorder(*client_, Options());  // at most one series write per 30 s
  ASSERT_FALSE(
      recorder.Record(subject_, EventType::kWarning, "InvalidSpec", "Validate", "n").is_null());
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(5s);
    EXPECT_TRUE(
        recorder.Record(subject_, EventType::kWarning, "InvalidSpec", "Validate", "n").is_null())
        << "only counted";
  }
  std::vector<Json> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].contains("series")) << "nothing written since the create";

  clock_.Advance(16s);  // 31 s after the create
  Json written = recorder.Record(subject_, EventType::kWarning, "InvalidSpec", "Validate", "n");
  ASSERT_FALSE(written.is_null());
  EXPECT_EQ(written["series"]["count"], 5);
  events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Count(events[0]), 5);
}

TEST_F(EventRecorderTest, AnExpiredEventIsCreatedAgain) {
  EventRecorder recorder(*client_, Options());
  Json first = recorder.Record(subject_, EventType::kWarning, "InvalidSpec", "Validate", "n");
  // The API server's TTL, done by hand.
  client_->Delete(kube::Events(), ns_, first["metadata"]["name"].get<std::string>());
  clock_.Advance(31s);
  Json second = recorder.Record(subject_, EventType::kWarning, "InvalidSpec", "Validate", "n");
  ASSERT_FALSE(second.is_null());
  EXPECT_NE(second["metadata"]["name"], first["metadata"]["name"]);
  std::vector<Json> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["metadata"]["name"], second["metadata"]["name"]);
  EXPECT_EQ(Count(events[0]), 1) << "a new series";

  // And the new one aggregates as the first did.
  clock_.Advance(31s);
  recorder.Record(subject_, EventType::kWarning, "InvalidSpec", "Validate", "n");
  events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Count(events[0]), 2);
}

TEST_F(EventRecorderTest, AfterTheWindowOrEvictionARepeatIsANewEvent) {
  EventRecorderOptions o = Options();
  o.max_cached_events = 2;
  EventRecorder recorder(*client_, o);
  recorder.Record(subject_, EventType::kWarning, "A", "Validate", "n");
  clock_.Advance(11min);  // past the 10 min window since the last occurrence
  recorder.Record(subject_, EventType::kWarning, "A", "Validate", "n");
  ASSERT_EQ(Events().size(), 2u);

  // B and C push A out of a two-entry cache; A is then new again.
  recorder.Record(subject_, EventType::kWarning, "B", "Validate", "n");
  recorder.Record(subject_, EventType::kWarning, "C", "Validate", "n");
  clock_.Advance(31s);
  recorder.Record(subject_, EventType::kWarning, "A", "Validate", "n");
  recorder.Record(subject_, EventType::kWarning, "C", "Validate", "n");  // still cached
  std::vector<Json> events = Events();
  ASSERT_EQ(events.size(), 5u);
  int with_series = 0;
  for (const Json& e : events) with_series += e.contains("series");
  EXPECT_EQ(with_series, 1) << "only C's repeat was aggregated";
}

}  // namespace
}  // namespace pulse::kube
