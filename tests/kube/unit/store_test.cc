#include "pulse/kube/store.h"

#include <gtest/gtest.h>

#include <thread>

namespace pulse::kube {
namespace {

ObjectPtr Obj(const std::string& ns, const std::string& name, const std::string& rv) {
  nlohmann::json j = {{"metadata", {{"name", name}, {"resourceVersion", rv}}}};
  if (!ns.empty()) j["metadata"]["namespace"] = ns;
  return std::make_shared<const nlohmann::json>(std::move(j));
}

TEST(Store, KeysAreNamespaceSlashName) {
  EXPECT_EQ(KeyOf(*Obj("ns", "a", "1")), "ns/a");
  EXPECT_EQ(KeyOf(*Obj("", "cluster-wide", "1")), "cluster-wide");
  EXPECT_THROW(KeyOf(nlohmann::json::object()), std::invalid_argument);
  EXPECT_THROW(KeyOf(nlohmann::json{{"metadata", {{"name", 5}}}}), std::invalid_argument);
  EXPECT_THROW(KeyOf(nlohmann::json{{"metadata", {{"name", ""}}}}), std::invalid_argument);
  EXPECT_THROW(KeyOf(nlohmann::json{{"metadata", "x"}}), std::invalid_argument);
}

TEST(Store, UpsertGetDelete) {
  Store s;
  EXPECT_EQ(s.Upsert(Obj("n", "a", "1")), nullptr);
  auto old = s.Upsert(Obj("n", "a", "2"));
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(ResourceVersionOf(*old), "1");
  EXPECT_EQ(ResourceVersionOf(*s.Get("n/a")), "2");
  EXPECT_EQ(s.Size(), 1u);
  EXPECT_EQ(s.Get("n/missing"), nullptr);
  EXPECT_NE(s.Delete("n/a"), nullptr);
  EXPECT_EQ(s.Delete("n/a"), nullptr);
  EXPECT_EQ(s.Size(), 0u);
}

TEST(Store, ReplaceReportsTheDifference) {
  Store s;
  s.Upsert(Obj("n", "same", "1"));
  s.Upsert(Obj("n", "changed", "1"));
  s.Upsert(Obj("n", "gone", "1"));
  auto diff = s.Replace({Obj("n", "same", "1"), Obj("n", "changed", "5"), Obj("n", "new", "6")});
  ASSERT_EQ(diff.added.size(), 1u);
  EXPECT_EQ(KeyOf(*diff.added[0]), "n/new");
  ASSERT_EQ(diff.updated.size(), 1u);
  EXPECT_EQ(ResourceVersionOf(*diff.updated[0].first), "1");
  EXPECT_EQ(ResourceVersionOf(*diff.updated[0].second), "5");
  ASSERT_EQ(diff.deleted.size(), 1u);
  EXPECT_EQ(KeyOf(*diff.deleted[0]), "n/gone");
  EXPECT_EQ(s.Keys(), (std::vector<std::string>{"n/changed", "n/new", "n/same"}));
}

TEST(Store, ConcurrentReadersAndWriter) {
  Store s;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 5000; ++i) {
      s.Upsert(Obj("n", "k" + std::to_string(i % 50), std::to_string(i)));
      if (i % 7 == 0) s.Delete("n/k" + std::to_string(i % 50));
    }
    stop = true;
  });
  std::thread reader([&] {
    while (!stop) {
      for (const auto& o : s.List()) ASSERT_TRUE(o->contains("metadata"));
      s.Get("n/k1");
    }
  });
  writer.join();
  reader.join();
  EXPECT_LE(s.Size(), 50u);
}

}  // namespace
}  // namespace pulse::kube
