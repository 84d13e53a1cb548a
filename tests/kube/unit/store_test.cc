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
  EXPECT_EQ(s.Upsert(*Obj("n", "a", "1")), nullptr);
  auto old = s.Upsert(*Obj("n", "a", "2"));
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
  s.Upsert(*Obj("n", "same", "1"));
  s.Upsert(*Obj("n", "changed", "1"));
  s.Upsert(*Obj("n", "gone", "1"));
  auto diff = s.Replace(std::vector<ObjectPtr>{Obj("n", "same", "1"), Obj("n", "changed", "5"),
                                               Obj("n", "new", "6")});
  ASSERT_EQ(diff.added.size(), 1u);
  EXPECT_EQ(diff.added[0].key, "n/new");
  EXPECT_EQ(KeyOf(*diff.added[0].Parse()), "n/new");
  ASSERT_EQ(diff.updated.size(), 1u);
  EXPECT_EQ(ResourceVersionOf(*diff.updated[0].first.Parse()), "1");
  EXPECT_EQ(ResourceVersionOf(*diff.updated[0].second.Parse()), "5");
  ASSERT_EQ(diff.deleted.size(), 1u);
  EXPECT_EQ(KeyOf(*diff.deleted[0].Parse()), "n/gone");
  EXPECT_EQ(s.Keys(), (std::vector<std::string>{"n/changed", "n/new", "n/same"}));
}

// The store keeps text, not the parsed object: what comes back is an equal object, and each
// read is the reader's own (a change to one copy is not seen through another read).
TEST(Store, ReadsReturnEqualObjectsParsedFromCompactText) {
  Store s;
  nlohmann::json o = {{"metadata", {{"name", "a"}, {"namespace", "n"}, {"resourceVersion", "7"}}},
                      {"spec", {{"list", {1, 2.5, "x", nullptr, true}}, {"nested", {{"k", "v"}}}}},
                      {"status", {{"unicode", "\u00e9\u2713"}}}};
  s.Upsert(o);
  const ObjectPtr first = s.Get("n/a");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(*first, o);
  EXPECT_NE(first.get(), s.Get("n/a").get());
  ASSERT_EQ(s.List().size(), 1u);
  EXPECT_EQ(*s.List()[0], o);
  const StoredObject stored = StoredObject::From(o);
  EXPECT_EQ(stored.key, "n/a");
  EXPECT_EQ(stored.resource_version, "7");
  EXPECT_EQ(*stored.text, o.dump());
  EXPECT_EQ(stored.text->capacity(), stored.text->size()) << "no spare buffer kept per object";
  EXPECT_THROW(StoredObject::From(nlohmann::json{{"metadata", {{"name", ""}}}}),
               std::invalid_argument);
}

TEST(Store, ConcurrentReadersAndWriter) {
  Store s;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 5000; ++i) {
      s.Upsert(*Obj("n", "k" + std::to_string(i % 50), std::to_string(i)));
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
