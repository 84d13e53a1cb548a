// Watch and informer against the real kube-apiserver, including an apiserver restart and a
// forced 410 Gone. RUN_SERIAL: these tests restart the shared apiserver.
#include "pulse/kube/informer.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <vector>

#include "kube_test_env.h"
#include "pulse/kube/enqueue_handler.h"
#include "pulse/kube/rest_client.h"
#include "pulse/kube/work_queue.h"
#include "tcp_proxy.h"

namespace pulse::kube {
namespace {

using namespace std::chrono_literals;
using testing::AdminConfig;
using testing::ConfigMap;
using testing::CreateNamespace;
using testing::Eventually;

// Records what handlers saw, thread-safe.
class Recorder {
 public:
  EventHandler Handler() {
    EventHandler h;
    h.on_add = [this](const ObjectPtr& o) {
      Add("add " + (*o)["metadata"]["name"].get<std::string>());
    };
    h.on_update = [this](const ObjectPtr&, const ObjectPtr& o) {
      Add("update " + (*o)["metadata"]["name"].get<std::string>());
    };
    h.on_delete = [this](const ObjectPtr& o) {
      Add("delete " + (*o)["metadata"]["name"].get<std::string>());
    };
    return h;
  }
  std::vector<std::string> Events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  bool Saw(const std::string& e) const {
    std::lock_guard<std::mutex> lock(mu_);
    return std::find(events_.begin(), events_.end(), e) != events_.end();
  }

 private:
  void Add(std::string e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(e));
  }
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

// name -> resourceVersion of what the server has.
std::map<std::string, std::string> ServerState(const Client& c, const std::string& ns) {
  std::map<std::string, std::string> out;
  const Json list = c.ListAll(ConfigMaps(), ns);  // not a temporary: the loop borrows from it
  for (const auto& item : list["items"]) {
    out[ns + "/" + item["metadata"]["name"].get<std::string>()] = ResourceVersionOf(item);
  }
  return out;
}

std::map<std::string, std::string> StoreState(const Store& s) {
  std::map<std::string, std::string> out;
  for (const auto& o : s.List()) out[KeyOf(*o)] = ResourceVersionOf(*o);
  return out;
}

InformerOptions FastOptions() {
  InformerOptions o;
  o.page_size = 7;  // several pages even for small tests
  o.backoff.initial = 100ms;
  o.backoff.max = 1s;
  return o;
}

void RestartApiserver() {
  std::string out;
  const int rc = testenv::Shell(testenv::SourceDir() +
                                    "/scripts/testenv/testenv.sh "
                                    "restart-apiserver " +
                                    testenv::StateDir(),
                                &out);
  ASSERT_EQ(rc, 0) << out;
}

TEST(Watch, SeesCreatesUpdatesDeletesInOrder) {
  Client client(AdminConfig());
  const std::string ns = CreateNamespace(client, "watch");
  const std::string rv = ResourceVersionOf(client.List(ConfigMaps(), ns));
  std::vector<std::string> seen;
  std::thread watcher([&] {
    WatchOptions wo;
    wo.resource_version = rv;
    wo.server_timeout = 30s;
    client.Watch(ConfigMaps(), ns, wo, [&](WatchEvent&& ev) {
      if (ev.type == WatchEventType::kBookmark) return true;
      seen.push_back(std::string(WatchEventTypeName(ev.type)) + " " +
                     ev.object["metadata"]["name"].get<std::string>() + " " +
                     ev.object["data"].value("v", ""));
      return seen.size() < 6;
    });
  });
  client.Create(ConfigMaps(), ns, ConfigMap("a", {{"v", "1"}}));
  client.MergePatch(ConfigMaps(), ns, "a", {{"data", {{"v", "2"}}}});
  client.Create(ConfigMaps(), ns, ConfigMap("b", {{"v", "1"}}));
  client.MergePatch(ConfigMaps(), ns, "a", {{"data", {{"v", "3"}}}});
  client.Delete(ConfigMaps(), ns, "a");
  client.Delete(ConfigMaps(), ns, "b");
  watcher.join();
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED a 1", "MODIFIED a 2", "ADDED b 1",
                                            "MODIFIED a 3", "DELETED a 3", "DELETED b 1"}));
}

TEST(Informer, ListsWatchesAndNotifiesInOrder) {
  Client client(AdminConfig());
  const std::string ns = CreateNamespace(client, "inf");
  for (int i = 0; i < 20; ++i)
    client.Create(ConfigMaps(), ns, ConfigMap("pre-" + std::to_string(i)));
  Informer informer(client, ConfigMaps(), ns, FastOptions());
  Recorder rec;
  informer.AddEventHandler(rec.Handler());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(30s));
  EXPECT_EQ(informer.store().Size(), 20u);
  EXPECT_EQ(rec.Events().size(), 20u);  // 20 adds from the paged list

  client.Create(ConfigMaps(), ns, ConfigMap("x", {{"v", "1"}}));
  client.MergePatch(ConfigMaps(), ns, "x", {{"data", {{"v", "2"}}}});
  client.Delete(ConfigMaps(), ns, "pre-3");
  ASSERT_TRUE(Eventually([&] { return rec.Events().size() == 23; })) << rec.Events().size();
  const auto ev = rec.Events();
  EXPECT_EQ(std::vector<std::string>(ev.begin() + 20, ev.end()),
            (std::vector<std::string>{"add x", "update x", "delete pre-3"}));
  ASSERT_NE(informer.store().Get(ns + "/x"), nullptr);
  EXPECT_EQ((*informer.store().Get(ns + "/x"))["data"]["v"], "2");
  EXPECT_EQ(StoreState(informer.store()), ServerState(client, ns));
  informer.Stop();
  EXPECT_EQ(informer.stats().lists, 1);
}

TEST(Informer, FeedsAWorkQueueThatReconcilesEachKeyByOneWorkerAtATime) {
  Client client(AdminConfig());
  const std::string ns = CreateNamespace(client, "queue");
  WorkQueue queue;
  Informer informer(client, ConfigMaps(), ns, FastOptions());
  informer.AddEventHandler(EnqueueKeys(queue));
  std::mutex mu;
  std::map<std::string, int> active, reconciled;
  std::map<std::string, std::string> last_seen;  // key -> data.v the reconciler last read
  bool overlap = false;
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.Get()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          overlap |= ++active[*key] > 1;
        }
        // Level-based: read the current state from the informer's store.
        ObjectPtr obj = informer.store().Get(*key);
        std::this_thread::sleep_for(2ms);
        {
          std::lock_guard<std::mutex> lock(mu);
          --active[*key];
          ++reconciled[*key];
          last_seen[*key] = obj ? (*obj)["data"].value("v", "") : "<deleted>";
        }
        queue.Forget(*key);
        queue.Done(*key);
      }
    });
  }
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(30s));
  for (int i = 0; i < 10; ++i)
    client.Create(ConfigMaps(), ns, ConfigMap("q" + std::to_string(i), {{"v", "0"}}));
  for (int round = 1; round <= 5; ++round) {
    for (int i = 0; i < 10; ++i) {
      client.MergePatch(ConfigMaps(), ns, "q" + std::to_string(i),
                        {{"data", {{"v", std::to_string(round)}}}});
    }
  }
  client.Delete(ConfigMaps(), ns, "q9");
  const bool converged = Eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    for (int i = 0; i < 9; ++i) {
      if (last_seen[ns + "/q" + std::to_string(i)] != "5") return false;
    }
    return last_seen[ns + "/q9"] == "<deleted>";
  });
  queue.ShutDownWithDrain();
  for (auto& t : workers) t.join();
  informer.Stop();
  EXPECT_TRUE(converged);
  EXPECT_FALSE(overlap) << "a key was reconciled by two workers at once";
  int total = 0;
  for (const auto& [k, n] : reconciled) total += n;

  EXPECT_GE(total, 10);
}

TEST(Informer, StopIsPromptEvenWhileTheWatchIsIdle) {
  Client client(AdminConfig());
  const std::string ns = CreateNamespace(client, "stop");
  Informer informer(client, ConfigMaps(), ns, FastOptions());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(30s));
  // Stop while the watch is open and idle (no events come in this namespace).
  ASSERT_TRUE(Eventually([&] { return informer.stats().watches >= 1; }));
  const auto t0 = std::chrono::steady_clock::now();
  informer.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST(Informer, StoreConvergesAfterApiserverRestart) {
  Client client(AdminConfig());
  const std::string ns = CreateNamespace(client, "restart");
  for (int i = 0; i < 5; ++i) client.Create(ConfigMaps(), ns, ConfigMap("a" + std::to_string(i)));
  Informer informer(client, ConfigMaps(), ns, FastOptions());
  Recorder rec;
  informer.AddEventHandler(rec.Handler());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(30s));

  RestartApiserver();  // the watch connection dies with the process
  // Changes after the restart must reach the store through a new watch.
  ASSERT_TRUE(Eventually(
      [&] {
        try {
          client.Create(ConfigMaps(), ns, ConfigMap("after"));
          return true;
        } catch (const ApiError&) {
          return false;
        }
      },
      60s));
  client.Delete(ConfigMaps(), ns, "a0");
  client.MergePatch(ConfigMaps(), ns, "a1", {{"data", {{"changed", "yes"}}}});
  EXPECT_TRUE(
      Eventually([&] { return StoreState(informer.store()) == ServerState(client, ns); }, 60s))
      << informer.LastError();
  EXPECT_TRUE(rec.Saw("add after"));
  EXPECT_TRUE(rec.Saw("delete a0"));
  EXPECT_TRUE(rec.Saw("update a1"));
  EXPECT_GE(informer.stats().watches, 2);
}

// Compacts etcd to its current revision through its HTTP gateway.
void CompactEtcd() {
  const std::string etcd = testenv::Get("kube", "ETCD_URL");
  std::string out;
  ASSERT_EQ(testenv::Shell("curl -fsS -X POST " + etcd + "/v3/kv/range -d '{\"key\":\"AA==\"}'",
                           &out, false),
            0)
      << out;
  const auto j = nlohmann::json::parse(out);
  const std::string rev = j["header"]["revision"].get<std::string>();
  ASSERT_EQ(testenv::Shell("curl -fsS -X POST " + etcd + "/v3/kv/compaction -d '{\"revision\":\"" +
                               rev + "\",\"physical\":true}'",
                           &out),
            0)
      << out;
}

TEST(Informer, GoneTriggersRelistThatReportsDeletesInTheGap) {
  Client admin(AdminConfig());
  const std::string ns = CreateNamespace(admin, "gone");
  for (const char* n : {"keep", "drop1", "drop2", "change"}) {
    admin.Create(ConfigMaps(), ns, ConfigMap(n));
  }
  // The informer reaches the server through a proxy we can cut.
  testing::TcpProxy proxy(std::stoi(testenv::Get("kube", "API_PORT")));
  Config via_proxy = AdminConfig();
  via_proxy.server = "https://127.0.0.1:" + std::to_string(proxy.port());
  Client client(via_proxy);
  Informer informer(client, ConfigMaps(), ns, FastOptions());
  Recorder rec;
  informer.AddEventHandler(rec.Handler());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(30s));
  const std::string old_rv = informer.LastResourceVersion();

  proxy.Cut();  // partition: the informer sees nothing of what follows
  admin.Delete(ConfigMaps(), ns, "drop1");
  admin.Delete(ConfigMaps(), ns, "drop2");
  admin.MergePatch(ConfigMaps(), ns, "change", {{"data", {{"v", "new"}}}});
  admin.Create(ConfigMaps(), ns, ConfigMap("born"));
  CompactEtcd();
  RestartApiserver();  // its watch cache now starts after the gap: old versions are gone
  {
    // Sanity: the server now refuses a watch from the informer's old version.
    bool gone = false;
    WatchOptions wo;
    wo.resource_version = old_rv;
    wo.server_timeout = 5s;
    ASSERT_TRUE(Eventually(
        [&] {
          try {
            admin.Watch(ConfigMaps(), ns, wo, [&](WatchEvent&& ev) {
              if (ev.type == WatchEventType::kError) gone = IsGone(ErrorFromStatus(ev.object, "w"));
              return false;
            });
          } catch (const ApiError& e) {
            gone = IsGone(e);
            if (e.reason() == Reason::kTransport || e.Retriable()) return false;
          }
          return true;
        },
        60s));
    ASSERT_TRUE(gone) << "the server still serves resourceVersion " << old_rv;
  }
  proxy.Resume();

  EXPECT_TRUE(
      Eventually([&] { return StoreState(informer.store()) == ServerState(admin, ns); }, 60s))
      << informer.LastError();
  EXPECT_GE(informer.stats().relists_after_gone, 1);
  EXPECT_TRUE(rec.Saw("delete drop1"));
  EXPECT_TRUE(rec.Saw("delete drop2"));
  EXPECT_TRUE(rec.Saw("update change"));
  EXPECT_TRUE(rec.Saw("add born"));
  EXPECT_EQ((*informer.store().Get(ns + "/change"))["data"]["v"], "new");
}

}  // namespace
}  // namespace pulse::kube
