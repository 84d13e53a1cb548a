// SecretWatches on a recording watch factory: a watch per referenced Secret (never more), started
// and stopped as references appear and disappear, and a change re-enqueues exactly the objects
// that reference that Secret. The production factory (an Informer with a name fieldSelector) is
// exercised by controller_operator_integration_test against the real apiserver.
#include "pulse/controller/secret_watches.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace pulse::controller {
namespace {

class RecordingFactory {
 public:
  class FakeWatch final : public SecretWatches::Watch {
   public:
    FakeWatch(RecordingFactory& f, std::string key) : f_(f), key_(std::move(key)) {}
    ~FakeWatch() override {
      std::lock_guard lock(f_.mu_);
      f_.running_.erase(key_);
      ++f_.stops_;
    }

   private:
    RecordingFactory& f_;
    std::string key_;
  };

  SecretWatches::WatchFactory Factory() {
    return [this](const std::string& ns, const std::string& name,
                  std::function<void()> on_change) -> std::unique_ptr<SecretWatches::Watch> {
      const std::string key = ns + "/" + name;
      std::lock_guard lock(mu_);
      running_[key] = std::move(on_change);
      ++starts_;
      return std::make_unique<FakeWatch>(*this, key);
    };
  }
  // The watch of `key` reports a change; false when no watch of it runs.
  bool Fire(const std::string& key) {
    std::function<void()> f;
    {
      std::lock_guard lock(mu_);
      auto it = running_.find(key);
      if (it == running_.end()) return false;
      f = it->second;
    }
    f();
    return true;
  }
  int starts() {
    std::lock_guard lock(mu_);
    return starts_;
  }
  int stops() {
    std::lock_guard lock(mu_);
    return stops_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::function<void()>> running_;
  int starts_ = 0;
  int stops_ = 0;
};

class SecretWatchesTest : public ::testing::Test {
 protected:
  std::vector<std::string> TakeEnqueued() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    out.swap(enqueued_);
    std::sort(out.begin(), out.end());
    return out;
  }

  RecordingFactory factory_;
  std::mutex mu_;
  std::vector<std::string> enqueued_;
  SecretWatches watches_{factory_.Factory(), [this](const SecretOwner& o) {
                           std::lock_guard lock(mu_);
                           enqueued_.push_back(o.kind + " " + o.key);
                         }};
};

TEST_F(SecretWatchesTest, OneWatchPerReferencedSecretAndExactlyItsOwnersAreEnqueued) {
  watches_.SetReferences({"ApiMonitor", "shop/a"}, "shop", {"creds", "tls"});
  watches_.SetReferences({"ApiMonitor", "shop/b"}, "shop", {"creds"});
  watches_.SetReferences({"Exporter", "shop/mq"}, "shop", {"mq"});
  watches_.SetReferences({"ApiMonitor", "crm/a"}, "crm", {"creds"});  // same name, other ns
  EXPECT_EQ(watches_.Watched(),
            (std::vector<std::string>{"crm/creds", "shop/creds", "shop/mq", "shop/tls"}));
  EXPECT_EQ(factory_.starts(), 4);

  ASSERT_TRUE(factory_.Fire("shop/creds"));
  EXPECT_EQ(TakeEnqueued(), (std::vector<std::string>{"ApiMonitor shop/a", "ApiMonitor shop/b"}));
  ASSERT_TRUE(factory_.Fire("shop/tls"));
  EXPECT_EQ(TakeEnqueued(), (std::vector<std::string>{"ApiMonitor shop/a"}));
  ASSERT_TRUE(factory_.Fire("shop/mq"));
  EXPECT_EQ(TakeEnqueued(), (std::vector<std::string>{"Exporter shop/mq"}));
  ASSERT_TRUE(factory_.Fire("crm/creds"));
  EXPECT_EQ(TakeEnqueued(), (std::vector<std::string>{"ApiMonitor crm/a"}));

  // Referencing the same Secrets again starts nothing new.
  watches_.SetReferences({"ApiMonitor", "shop/a"}, "shop", {"tls", "creds"});
  EXPECT_EQ(factory_.starts(), 4);
  EXPECT_EQ(factory_.stops(), 0);
}

TEST_F(SecretWatchesTest, WatchesStopWhenTheLastReferenceGoes) {
  watches_.SetReferences({"ApiMonitor", "shop/a"}, "shop", {"creds", "tls"});
  watches_.SetReferences({"ApiMonitor", "shop/b"}, "shop", {"creds"});
  // a drops tls: its watch stops; creds is still b's.
  watches_.SetReferences({"ApiMonitor", "shop/a"}, "shop", {"creds"});
  EXPECT_EQ(watches_.Watched(), (std::vector<std::string>{"shop/creds"}));
  EXPECT_EQ(factory_.stops(), 1);
  EXPECT_FALSE(factory_.Fire("shop/tls"));
  // a is deleted (empty list): creds stays for b, and only b hears of it.
  watches_.SetReferences({"ApiMonitor", "shop/a"}, "", {});
  ASSERT_TRUE(factory_.Fire("shop/creds"));
  EXPECT_EQ(TakeEnqueued(), (std::vector<std::string>{"ApiMonitor shop/b"}));
  watches_.SetReferences({"ApiMonitor", "shop/b"}, "shop", {});
  EXPECT_TRUE(watches_.Watched().empty());
  EXPECT_EQ(factory_.stops(), 2);
  // A new reference starts a new watch.
  watches_.SetReferences({"ApiMonitor", "shop/b"}, "shop", {"creds"});
  EXPECT_EQ(factory_.starts(), 3);
}

TEST_F(SecretWatchesTest, StopAllStopsEveryWatchAndIgnoresLaterReferences) {
  watches_.SetReferences({"ApiMonitor", "shop/a"}, "shop", {"x", "y"});
  watches_.StopAll();
  EXPECT_EQ(factory_.stops(), 2);
  watches_.SetReferences({"ApiMonitor", "shop/a"}, "shop", {"z"});
  EXPECT_TRUE(watches_.Watched().empty());
  EXPECT_EQ(factory_.starts(), 2);
}

}  // namespace
}  // namespace pulse::controller
