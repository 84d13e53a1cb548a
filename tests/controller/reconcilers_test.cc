// The operator's reconcilers against a fake ObjectWriter: validation verdicts, status and its
// lastTransitionTime, aggregated rejection Events, Secrets read by name, the exporter workload,
// and the shared config written only when a content hash changes.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <random>

#include "fake_object_writer.h"
#include "pulse/controller/api_monitor_reconciler.h"
#include "pulse/controller/config_reconciler.h"
#include "pulse/controller/exporter_reconciler.h"
#include "pulse/controller/remote_write_credentials.h"
#include "pulse/controller/resources.h"
#include "pulse/model/parse.h"
#include "pulse/model/remote_write.h"
#include "pulse/model/validate.h"
#include "pulse/render/scrape_config_renderer.h"

namespace pulse::controller {
namespace {

using namespace std::chrono_literals;
using testing::FakeObjectWriter;

Json Monitor(const std::string& name, const std::string& interval = "30s",
             const std::string& timeout = "10s", int generation = 1) {
  return {{"apiVersion", "monitoring.pulse.dev/v1alpha1"},
          {"kind", "ApiMonitor"},
          {"metadata",
           {{"name", name},
            {"namespace", "shop"},
            {"uid", "uid-" + name},
            {"generation", generation},
            {"resourceVersion", "1"}}},
          {"spec",
           {{"staticTargets", {{{"targets", {name + ".example:8080"}}}}},
            {"endpoints", {{{"interval", interval}, {"scrapeTimeout", timeout}}}}}}};
}

Json Exporter(const std::string& name) {
  return {{"apiVersion", "monitoring.pulse.dev/v1alpha1"},
          {"kind", "Exporter"},
          {"metadata",
           {{"name", name}, {"namespace", "shop"}, {"uid", "uid-" + name}, {"generation", 1}}},
          {"spec",
           {{"type", "postgresql"},
            {"postgresql",
             {{"host", "db.shop.svc"},
              {"databases", {"shop"}},
              {"credentials",
               {{"username", {{"name", "db-creds"}, {"key", "username"}}},
                {"password", {{"name", "db-creds"}, {"key", "password"}}}}}}}}}};
}

Json SecretObject(const std::string& name, const Json& string_data) {
  Json data = Json::object();
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", "shop"}, {"resourceVersion", "7"}}},
          {"stringData", string_data}};
}

const Json* ConditionOf(const Json& status, const std::string& type) {
  for (const Json& c : status["conditions"]) {
    if (c["type"] == type) return &c;
  }
  return nullptr;
}

class ReconcilersTest : public ::testing::Test {
 protected:
  ObjectReconcilerDeps Deps() {
    return ObjectReconcilerDeps{[this](const std::string& key) -> kube::ObjectPtr {
                                  auto it = store_.find(key);
                                  if (it == store_.end()) return nullptr;
                                  return std::make_shared<const Json>(it->second);
                                },
                                writer_, accepted_, [this] { ++config_changes_; }, clock_};
  }
  void Put(const Json& object) {
    store_[object["metadata"]["namespace"].get<std::string>() + "/" +
           object["metadata"]["name"].get<std::string>()] = object;
  }
  // The status the fake recorded becomes the live status (as the informer would see it).
  void FoldStatus(const std::string& resource, const std::string& key) {
    const std::string path = resource + "/" + key;
    if (writer_.last_status.count(path)) store_[key]["status"] = writer_.last_status[path];
  }
  std::string Metrics() { return prometheus::TextSerializer().Serialize(registry_.Collect()); }

  base::FakeClock clock_;
  prometheus::Registry registry_;
  FakeObjectWriter writer_;
  AcceptedObjects accepted_{&registry_};
  std::map<std::string, Json> store_;
  int config_changes_ = 0;
};

TEST_F(ReconcilersTest, ValidMonitorIsAcceptedWithStatusAndNoRewriteWhenUnchanged) {
  EXPECT_NE(Metrics().find("pulse_operator_objects{kind=\"ApiMonitor\",state=\"accepted\"} 0"),
            std::string::npos);
  ApiMonitorReconciler r(Deps());
  Put(Monitor("a"));
  EXPECT_EQ(r.Reconcile("shop/a").kind, Result::Kind::kDone);
  EXPECT_EQ(config_changes_, 1);
  ASSERT_EQ(writer_.status_patches.size(), 1u);
  const Json& status = writer_.last_status["apimonitors/shop/a"];
  EXPECT_EQ(status["observedGeneration"], 1);
  ASSERT_NE(ConditionOf(status, "Accepted"), nullptr);
  EXPECT_EQ((*ConditionOf(status, "Accepted"))["status"], "True");
  EXPECT_EQ((*ConditionOf(status, "Accepted"))["reason"], "Valid");
  EXPECT_EQ((*ConditionOf(status, "Ready"))["status"], "True");
  EXPECT_EQ(status["generated"]["scrapeJobs"][0], "apimonitor/shop/a/0");
  EXPECT_TRUE(writer_.events.empty());
  EXPECT_EQ(accepted_.Count("ApiMonitor", true), 1u);

  // The informer now shows our status: reconciling again writes nothing, renders nothing.
  FoldStatus("apimonitors", "shop/a");
  writer_.Clear();
  clock_.Advance(1h);
  EXPECT_EQ(r.Reconcile("shop/a").kind, Result::Kind::kDone);
  EXPECT_TRUE(writer_.status_patches.empty());
  EXPECT_EQ(config_changes_, 1);
}

TEST_F(ReconcilersTest, InvalidMonitorIsRejectedAloneWithFieldPathAndOneEvent) {
  ApiMonitorReconciler r(Deps());
  Put(Monitor("good"));
  Put(Monitor("bad", "10s", "30s"));
  EXPECT_EQ(r.Reconcile("shop/good").kind, Result::Kind::kDone);
  EXPECT_EQ(r.Reconcile("shop/bad").kind, Result::Kind::kDone);
  const Json& status = writer_.last_status["apimonitors/shop/bad"];
  const Json* accepted = ConditionOf(status, "Accepted");
  ASSERT_NE(accepted, nullptr);
  EXPECT_EQ((*accepted)["status"], "False");
  EXPECT_EQ((*accepted)["reason"], "InvalidSpec");
  EXPECT_NE((*accepted)["message"].get<std::string>().find("spec.endpoints[0].scrapeTimeout"),
            std::string::npos)
      << (*accepted)["message"];
  EXPECT_EQ((*ConditionOf(status, "Ready"))["status"], "False");
  ASSERT_EQ(writer_.events.size(), 1u);
  EXPECT_NE(writer_.events[0].find("bad:InvalidSpec:spec.endpoints[0].scrapeTimeout"),
            std::string::npos)
      << writer_.events[0];
  EXPECT_EQ(accepted_.Take().api_monitors.size(), 1u);
  EXPECT_NE(Metrics().find("pulse_operator_objects{kind=\"ApiMonitor\",state=\"rejected\"} 1"),
            std::string::npos);

  // Same generation again: no second Event, no status write.
  FoldStatus("apimonitors", "shop/bad");
  writer_.Clear();
  EXPECT_EQ(r.Reconcile("shop/bad").kind, Result::Kind::kDone);
  EXPECT_TRUE(writer_.events.empty());
  EXPECT_TRUE(writer_.status_patches.empty());

  // Fixed in generation 2: accepted; the Accepted condition flips and gets a new time.
  const std::string before =
      (*ConditionOf(store_["shop/bad"]["status"], "Accepted"))["lastTransitionTime"];
  clock_.Advance(1h);
  Json fixed = Monitor("bad", "30s", "10s", 2);
  fixed["status"] = store_["shop/bad"]["status"];
  Put(fixed);
  EXPECT_EQ(r.Reconcile("shop/bad").kind, Result::Kind::kDone);
  const Json& now = writer_.last_status["apimonitors/shop/bad"];
  EXPECT_EQ((*ConditionOf(now, "Accepted"))["status"], "True");
  EXPECT_NE((*ConditionOf(now, "Accepted"))["lastTransitionTime"], before);
  EXPECT_EQ(now["observedGeneration"], 2);
  EXPECT_EQ(accepted_.Take().api_monitors.size(), 2u);
}

TEST_F(ReconcilersTest, SecretsAreReadByNameAndAMissingOneIsRecheckedLater) {
  ApiMonitorReconciler r(Deps());
  Json m = Monitor("tok");
  m["spec"]["endpoints"][0]["bearerTokenSecret"] = {{"name", "token"}, {"key", "token"}};
  Put(m);
  const Result first = r.Reconcile("shop/tok");
  EXPECT_EQ(first.kind, Result::Kind::kRequeueAfter);
  EXPECT_EQ((*ConditionOf(writer_.last_status["apimonitors/shop/tok"], "Accepted"))["status"],
            "False");
  writer_.objects[{"secrets", "shop", "token"}] = SecretObject("token", {{"token", "s3cr3t"}});
  EXPECT_EQ(r.Reconcile("shop/tok").kind, Result::Kind::kDone);
  EXPECT_EQ((*ConditionOf(writer_.last_status["apimonitors/shop/tok"], "Accepted"))["status"],
            "True");
  EXPECT_GE(writer_.gets, 2);
}

TEST_F(ReconcilersTest, DeletedMonitorLeavesTheConfig) {
  ApiMonitorReconciler r(Deps());
  Put(Monitor("gone"));
  (void)r.Reconcile("shop/gone");
  store_.erase("shop/gone");
  EXPECT_EQ(r.Reconcile("shop/gone").kind, Result::Kind::kDone);
  EXPECT_EQ(config_changes_, 2);
  EXPECT_TRUE(accepted_.Take().api_monitors.empty());
}

TEST_F(ReconcilersTest, ExporterWorkloadIsAppliedOnceAndOwned) {
  ExporterReconciler r(Deps());
  writer_.objects[{"secrets", "shop", "db-creds"}] =
      SecretObject("db-creds", {{"username", "u"}, {"password", "p"}});
  Put(Exporter("db"));
  EXPECT_EQ(r.Reconcile("shop/db").kind, Result::Kind::kDone);
  ASSERT_EQ(writer_.applies.size(), 3u);
  EXPECT_EQ(writer_.applies[0].rfind("configmaps/shop/", 0), 0u);
  EXPECT_EQ(writer_.applies[1].rfind("deployments/shop/", 0), 0u);
  EXPECT_EQ(writer_.applies[2].rfind("services/shop/", 0), 0u);
  for (const auto& [key, object] : writer_.objects) {
    if (std::get<0>(key) == "secrets") continue;
    EXPECT_EQ(object["metadata"]["ownerReferences"][0]["uid"], "uid-db");
    EXPECT_EQ(object["metadata"]["ownerReferences"][0]["kind"], "Exporter");
  }
  const Json& status = writer_.last_status["exporters/shop/db"];
  EXPECT_EQ((*ConditionOf(status, "Ready"))["status"], "True");
  EXPECT_FALSE(status["generated"]["deployment"].get<std::string>().empty());
  EXPECT_EQ(accepted_.Take().exporters.size(), 1u);

  FoldStatus("exporters", "shop/db");
  writer_.Clear();
  EXPECT_EQ(r.Reconcile("shop/db").kind, Result::Kind::kDone);
  EXPECT_TRUE(writer_.applies.empty());
  EXPECT_TRUE(writer_.status_patches.empty());
}

TEST_F(ReconcilersTest, ConfigIsRenderedFromAcceptedObjectsAndWrittenOnlyOnChange) {
  ApiMonitorReconciler monitors(Deps());
  for (const char* name : {"a", "b"}) {
    Put(Monitor(name));
    (void)monitors.Reconcile(std::string("shop/") + name);
  }
  Put(Monitor("bad", "10s", "30s"));
  (void)monitors.Reconcile("shop/bad");

  ConfigReconcilerOptions options;
  options.delivery.namespace_ = "monitoring";
  bool ready = false;
  ConfigReconciler config(options, accepted_, writer_, &registry_, [&] { return ready; });
  EXPECT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kRequeueAfter);
  EXPECT_TRUE(writer_.applies.empty());
  ready = true;
  writer_.Clear();
  EXPECT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  EXPECT_FALSE(writer_.applies.empty());
  // Head Secret last.
  EXPECT_EQ(writer_.applies.back(), "secrets/monitoring/pulse-prometheus-config");

  std::vector<Json> secrets;
  for (const auto& [key, object] : writer_.objects) {
    if (std::get<0>(key) == "secrets" && std::get<1>(key) == "monitoring") {
      secrets.push_back(object);
    }
  }
  auto assembled = AssembleConfig(secrets, options.delivery, 64 << 20);
  ASSERT_TRUE(assembled.ok()) << assembled.status().ToString();
  // Exactly a fresh render of the valid objects.
  std::vector<model::ApiMonitor> valid;
  for (const char* name : {"a", "b"}) {
    auto parsed = model::ParseJson(Monitor(name).dump());
    valid.push_back(parsed.objects.api_monitors.at(0));
  }
  render::RenderInputs inputs;
  inputs.api_monitors = valid;
  inputs.options = options.render;
  EXPECT_EQ(assembled.value(), render::RenderPrometheusConfig(inputs));
  EXPECT_EQ(config.LastConfigHash(), ContentHash(assembled.value()));
  // The head names exactly the rule ConfigMaps delivered with it, as the config sync reads them.
  std::map<std::string, std::string> rule_hashes;
  for (const auto& [key, object] : writer_.objects) {
    if (std::get<0>(key) != "configmaps") continue;
    if (auto hash = DeliveredRuleHash(object)) rule_hashes[std::get<2>(key)] = *hash;
  }
  ASSERT_FALSE(rule_hashes.empty());
  EXPECT_EQ(DeclaredRulesDigest(secrets, options.delivery), RulesDigest(rule_hashes));
  const std::string m = Metrics();
  EXPECT_NE(m.find("pulse_operator_config_hash_info{hash=\"" + config.LastConfigHash() + "\"} 1"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("pulse_operator_config_bytes " + std::to_string(assembled.value().size())),
            std::string::npos);

  // Nothing changed: nothing written.
  writer_.Clear();
  EXPECT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  EXPECT_TRUE(writer_.applies.empty());
  EXPECT_TRUE(writer_.deletes.empty());

  // A fresh reconciler (a restarted operator) seeds its hashes from the live objects: no writes.
  ConfigReconciler restarted(options, accepted_, writer_, nullptr);
  EXPECT_EQ(restarted.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  EXPECT_TRUE(writer_.applies.empty());
  EXPECT_TRUE(writer_.deletes.empty());
}

// run --remote-write-config: the Secret keys the remote write names are read by name and copied
// into the credentials Secret under the file names the config gives them; a missing one is
// counted and does not hold back the config.
TEST_F(ReconcilersTest, RemoteWriteCredentialsAreCopiedIntoTheCredentialsSecret) {
  auto rw = model::ParseRemoteWrite(
      "url: https://store.example/api/v1/write\nsecretNamespace: monitoring\n"
      "basicAuth:\n  username: {name: store-auth, key: user}\n"
      "  password: {name: store-auth, key: pass}\n"
      "tlsConfig: {ca: {name: store-ca, key: ca.crt}}\n",
      "rw.yaml");
  ASSERT_TRUE(rw.errors.empty());
  EXPECT_EQ(RemoteWriteSecretNames(rw.remote_write),
            (std::vector<std::string>{"store-auth", "store-ca"}));
  // The values as the apiserver returns them: base64 in `data`.
  writer_.objects[{"secrets", "monitoring", "store-auth"}] = {
      {"metadata", {{"name", "store-auth"}, {"namespace", "monitoring"}}},
      {"data", {{"user", "d3JpdGVy"}, {"pass", "c2VjcmV0"}}}};  // writer, secret

  ConfigReconcilerOptions options;
  options.delivery.namespace_ = "monitoring";
  options.render.remote_write = rw.remote_write;
  options.render.credentials_dir = "/etc/prometheus/pulse-credentials";
  ConfigReconciler config(options, accepted_, writer_, &registry_);
  ASSERT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  const auto it = writer_.objects.find({"secrets", "monitoring", "pulse-scrape-credentials"});
  ASSERT_NE(it, writer_.objects.end());
  EXPECT_EQ(CredentialFiles(it->second),
            (std::map<std::string, std::string>{{"monitoring_store-auth_pass", "secret"},
                                                {"monitoring_store-auth_user", "writer"}}));
  std::vector<Json> secrets;
  for (const auto& [key, object] : writer_.objects) {
    if (std::get<0>(key) == "secrets" && std::get<2>(key).rfind("pulse-prometheus-config", 0) == 0)
      secrets.push_back(object);
  }
  auto assembled = AssembleConfig(secrets, options.delivery, 64 << 20);
  ASSERT_TRUE(assembled.ok());
  EXPECT_NE(assembled.value().find(
                "password_file: /etc/prometheus/pulse-credentials/monitoring_store-auth_pass"),
            std::string::npos)
      << assembled.value();
  EXPECT_NE(assembled.value().find("ca_file: /etc/prometheus/pulse-credentials/"
                                   "monitoring_store-ca_ca.crt"),
            std::string::npos);
  // store-ca does not exist: one key missing, counted.
  EXPECT_NE(Metrics().find("pulse_operator_remote_write_credentials_missing 1"), std::string::npos)
      << Metrics();

  // It appears, and a value changes: the next render copies both.
  writer_.objects[{"secrets", "monitoring", "store-ca"}] = {{"metadata", {{"name", "store-ca"}}},
                                                            {"data", {{"ca.crt", "Q0E="}}}};  // CA
  writer_.objects[{"secrets", "monitoring", "store-auth"}]["data"]["pass"] = "bmV3";          // new
  writer_.Clear();
  ASSERT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  EXPECT_EQ(writer_.applies,
            (std::vector<std::string>{"secrets/monitoring/pulse-scrape-credentials"}));
  const auto files =
      CredentialFiles(writer_.objects.at({"secrets", "monitoring", "pulse-scrape-credentials"}));
  EXPECT_EQ(files.at("monitoring_store-auth_pass"), "new");
  EXPECT_EQ(files.at("monitoring_store-ca_ca.crt"), "CA");
  EXPECT_NE(Metrics().find("pulse_operator_remote_write_credentials_missing 0"), std::string::npos);
}

TEST_F(ReconcilersTest, StaleDashboardIsDeleted) {
  ApiMonitorReconciler monitors(Deps());
  Json m = Monitor("dash");
  m["spec"]["dashboard"] = {{"perMonitor", true}};
  Put(m);
  (void)monitors.Reconcile("shop/dash");
  ConfigReconcilerOptions options;
  ConfigReconciler config(options, accepted_, writer_, nullptr);
  EXPECT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  size_t dashboards = 0;
  for (const auto& [key, object] : writer_.objects) {
    if (object["metadata"].value("labels", Json::object()).value("grafana_dashboard", "") == "1") {
      ++dashboards;
    }
  }
  store_.erase("shop/dash");
  (void)monitors.Reconcile("shop/dash");
  writer_.Clear();
  EXPECT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  EXPECT_EQ(writer_.deletes.size(), 1u) << ::testing::PrintToString(writer_.deletes);
  size_t after = 0;
  for (const auto& [key, object] : writer_.objects) {
    if (object["metadata"].value("labels", Json::object()).value("grafana_dashboard", "") == "1") {
      ++after;
    }
  }
  EXPECT_EQ(after + 1, dashboards);
}

// The Secret keys a scrape job references are copied into the generated credentials Secret,
// applied before the config that names them as files under credentials_dir; a changed Secret
// value rewrites that Secret alone.
TEST_F(ReconcilersTest, ScrapeCredentialsAreCopiedIntoTheGeneratedSecret) {
  ApiMonitorReconciler monitors(Deps());
  Json m = Monitor("auth");
  m["spec"]["endpoints"][0]["basicAuth"] = {{"username", {{"name", "creds"}, {"key", "user"}}},
                                            {"password", {{"name", "creds"}, {"key", "pass"}}}};
  Put(m);
  Put(Monitor("plain"));
  writer_.objects[{"secrets", "shop", "creds"}] =
      SecretObject("creds", {{"user", "scraper"}, {"pass", "s3cr3t"}, {"unused", "x"}});
  ASSERT_EQ(monitors.Reconcile("shop/auth").kind, Result::Kind::kDone);
  ASSERT_EQ(monitors.Reconcile("shop/plain").kind, Result::Kind::kDone);

  ConfigReconcilerOptions options;
  options.delivery.namespace_ = "monitoring";
  options.render.credentials_dir = "/etc/prometheus/pulse-credentials";
  ConfigReconciler config(options, accepted_, writer_, nullptr);
  writer_.Clear();
  ASSERT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  const std::vector<std::string> applies = writer_.applies;
  const auto at =
      std::find(applies.begin(), applies.end(), "secrets/monitoring/pulse-scrape-credentials");
  ASSERT_NE(at, applies.end()) << ::testing::PrintToString(applies);
  const auto head =
      std::find(applies.begin(), applies.end(), "secrets/monitoring/pulse-prometheus-config");
  EXPECT_LT(at, head);  // the files exist before a config names them
  const Json creds = writer_.objects[{"secrets", "monitoring", "pulse-scrape-credentials"}];
  EXPECT_EQ(CredentialFiles(creds),
            (std::map<std::string, std::string>{{"shop_creds_pass", "s3cr3t"},
                                                {"shop_creds_user", "scraper"}}));  // not "unused"
  EXPECT_EQ(creds["metadata"]["labels"][kComponentLabel], kCredentialsComponent);

  std::vector<Json> secrets;
  for (const auto& [key, object] : writer_.objects) {
    if (std::get<0>(key) == "secrets" && std::get<1>(key) == "monitoring") {
      secrets.push_back(object);
    }
  }
  auto yml = AssembleConfig(secrets, options.delivery, 64 << 20);
  ASSERT_TRUE(yml.ok()) << yml.status().ToString();
  EXPECT_NE(yml->find("password_file: /etc/prometheus/pulse-credentials/shop_creds_pass"),
            std::string::npos)
      << *yml;
  EXPECT_EQ(yml->find("s3cr3t"), std::string::npos);  // never inlined

  // A new password: the object is a change (its fingerprint covers the resolved values), and
  // only the credentials Secret is written again.
  writer_.objects[{"secrets", "shop", "creds"}] =
      SecretObject("creds", {{"user", "scraper"}, {"pass", "n3w"}});
  const int changes = config_changes_;
  ASSERT_EQ(monitors.Reconcile("shop/auth").kind, Result::Kind::kDone);
  EXPECT_EQ(config_changes_, changes + 1);
  writer_.Clear();
  ASSERT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  EXPECT_EQ(writer_.applies,
            (std::vector<std::string>{"secrets/monitoring/pulse-scrape-credentials"}));

  // No object references a Secret any more: the credentials Secret goes.
  store_.erase("shop/auth");
  (void)monitors.Reconcile("shop/auth");
  writer_.Clear();
  ASSERT_EQ(config.Reconcile(kConfigKey).kind, Result::Kind::kDone);
  EXPECT_EQ(writer_.deletes,
            (std::vector<std::string>{"secrets/monitoring/pulse-scrape-credentials"}));
}

TEST(AcceptedObjectsTest, TheEarlierObjectKeepsAClaimAndTheLaterIsHeldBackAlone) {
  AcceptedObjects accepted(nullptr);
  auto monitor = [](const std::string& name) {
    model::ApiMonitor m;
    m.metadata.namespace_ = "shop";
    m.metadata.name = name;
    return m;
  };
  auto candidate = [](const std::string& created, std::vector<std::string> claims) {
    Candidate c;
    c.fingerprint = "f";
    c.created = created;
    c.claims = std::move(claims);
    return c;
  };
  // "late" is reconciled first but was created after "early": the verdict follows creation.
  Verdict v = accepted.OfferApiMonitor(
      "shop/late", monitor("late"), candidate("2026-12-02T10:00:05Z", {"scrape job j", "own l"}));
  EXPECT_TRUE(v.config_changed);
  EXPECT_FALSE(v.duplicate_of);
  v = accepted.OfferApiMonitor("shop/early", monitor("early"),
                               candidate("2026-12-02T10:00:01Z", {"scrape job j", "own e"}));
  EXPECT_FALSE(v.duplicate_of);
  EXPECT_EQ(v.others_changed, (std::vector<ObjectRef>{{"ApiMonitor", "shop/late"}}));
  EXPECT_TRUE(v.config_changed);
  // The re-enqueued "late" learns who holds the claim; nothing else moves.
  v = accepted.OfferApiMonitor("shop/late", monitor("late"),
                               candidate("2026-12-02T10:00:05Z", {"scrape job j", "own l"}));
  ASSERT_TRUE(v.duplicate_of);
  EXPECT_EQ(v.duplicate_of->first, "scrape job j");
  EXPECT_EQ(v.duplicate_of->second, (ObjectRef{"ApiMonitor", "shop/early"}));
  EXPECT_FALSE(v.config_changed);
  EXPECT_TRUE(v.others_changed.empty());
  // Prometheus gets one job j: only "early" is rendered.
  auto snap = accepted.Take();
  ASSERT_EQ(snap.api_monitors.size(), 1u);
  EXPECT_EQ(snap.api_monitors[0]->metadata.name, "early");
  EXPECT_EQ(accepted.Count("ApiMonitor", false), 1u);

  // Same creation time: namespace/name decides. An unrelated claim never blocks.
  v = accepted.OfferApiMonitor("shop/other", monitor("other"),
                               candidate("2026-12-02T10:00:05Z", {"scrape job k"}));
  EXPECT_FALSE(v.duplicate_of);
  v = accepted.OfferApiMonitor("shop/aaa", monitor("aaa"),
                               candidate("2026-12-02T10:00:05Z", {"scrape job k"}));
  EXPECT_FALSE(v.duplicate_of);
  EXPECT_EQ(v.others_changed, (std::vector<ObjectRef>{{"ApiMonitor", "shop/other"}}));

  // "early" becomes invalid: "late" takes over the claim.
  v = accepted.Reject("ApiMonitor", "shop/early");
  EXPECT_TRUE(v.config_changed);
  EXPECT_EQ(v.others_changed, (std::vector<ObjectRef>{{"ApiMonitor", "shop/late"}}));
  snap = accepted.Take();
  std::vector<std::string> names;
  for (const auto& m : snap.api_monitors) names.push_back(m->metadata.name);
  EXPECT_EQ(names, (std::vector<std::string>{"aaa", "late"}));
  // And deleting "aaa" gives k back to "other".
  v = accepted.Remove("ApiMonitor", "shop/aaa");
  EXPECT_EQ(v.others_changed, (std::vector<ObjectRef>{{"ApiMonitor", "shop/other"}}));
  EXPECT_EQ(accepted.Count("ApiMonitor", true), 2u);
}

// The accepted/rejected counts are kept per change, not recounted: after any sequence of offers,
// rejections and removals (with claims that collide, so verdicts of others flip), they equal a
// recount from what is in force and what is known.
TEST(AcceptedObjectsTest, CountsFollowEveryChangeIncludingFlipsOfOthers) {
  prometheus::Registry registry;
  AcceptedObjects accepted(&registry);
  std::mt19937 rng(7);
  for (int step = 0; step < 3000; ++step) {
    const int n = static_cast<int>(rng() % 12);
    const std::string name = "m" + std::to_string(n);
    const bool exporter = n % 4 == 0;
    const std::string kind = exporter ? "Exporter" : "ApiMonitor";
    switch (rng() % 4) {
      case 0:
      case 1: {
        Candidate c;
        c.fingerprint = std::to_string(rng() % 3);
        c.created = "2026-12-02T10:00:0" + std::to_string(rng() % 10) + "Z";
        c.claims = {"job " + std::to_string(rng() % 5)};  // few claims: many duplicates
        if (exporter) {
          model::Exporter e;
          e.metadata.namespace_ = "ns";
          e.metadata.name = name;
          accepted.OfferExporter("ns/" + name, e, c);
        } else {
          model::ApiMonitor m;
          m.metadata.namespace_ = "ns";
          m.metadata.name = name;
          accepted.OfferApiMonitor("ns/" + name, m, c);
        }
        break;
      }
      case 2:
        accepted.Reject(kind, "ns/" + name);
        break;
      default:
        accepted.Remove(kind, "ns/" + name);
    }
    const auto snap = accepted.Take();
    size_t known[2] = {};
    for (const ObjectRef& ref : accepted.Known()) ++known[ref.kind == "Exporter" ? 1 : 0];
    ASSERT_EQ(accepted.Count("ApiMonitor", true), snap.api_monitors.size()) << step;
    ASSERT_EQ(accepted.Count("Exporter", true), snap.exporters.size()) << step;
    ASSERT_EQ(accepted.Count("ApiMonitor", false), known[0] - snap.api_monitors.size()) << step;
    ASSERT_EQ(accepted.Count("Exporter", false), known[1] - snap.exporters.size()) << step;
  }
  // The exported gauge says the same.
  double gauge = -1;
  for (const auto& family : registry.Collect()) {
    if (family.name != "pulse_operator_objects") continue;
    for (const auto& metric : family.metric) {
      bool monitor = false, is_accepted = false;
      for (const auto& label : metric.label) {
        if (label.name == "kind" && label.value == "ApiMonitor") monitor = true;
        if (label.name == "state" && label.value == "accepted") is_accepted = true;
      }
      if (monitor && is_accepted) gauge = metric.gauge.value;
    }
  }
  EXPECT_EQ(gauge, static_cast<double>(accepted.Count("ApiMonitor", true)));
}

// Two ApiMonitors whose own dashboards land in the same ConfigMap name (names differing only in
// '-' vs the namespace separator): the later one is rejected alone, naming the first, with an
// Event; the first keeps working and the config renders it only.
TEST_F(ReconcilersTest, ACollidingOutputRejectsTheLaterObjectAlone) {
  std::vector<ObjectRef> requeued;
  ObjectReconcilerDeps deps = Deps();
  deps.requeue = [&](const ObjectRef& r) { requeued.push_back(r); };
  ApiMonitorReconciler monitors(deps);
  Json first = Monitor("y");
  first["metadata"]["namespace"] = "shop-x";
  first["metadata"]["creationTimestamp"] = "2026-12-02T10:00:00Z";
  first["spec"]["dashboard"] = {{"perMonitor", true}};
  Json second = Monitor("x-y");  // namespace shop: "apimonitor_shop_x-y" vs "apimonitor_shop-x_y"
  second["metadata"]["creationTimestamp"] = "2026-12-02T10:05:00Z";
  second["spec"]["dashboard"] = {{"perMonitor", true}};
  store_["shop-x/y"] = first;
  Put(second);
  ASSERT_EQ(monitors.Reconcile("shop/x-y").kind, Result::Kind::kDone);
  ASSERT_EQ(monitors.Reconcile("shop-x/y").kind, Result::Kind::kDone);
  EXPECT_EQ(requeued, (std::vector<ObjectRef>{{"ApiMonitor", "shop/x-y"}}));
  ASSERT_EQ(monitors.Reconcile("shop/x-y").kind, Result::Kind::kDone);

  const Json& late = writer_.last_status["apimonitors/shop/x-y"];
  const Json* c = ConditionOf(late, "Accepted");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)["status"], "False");
  EXPECT_EQ((*c)["reason"], "DuplicateOutput");
  EXPECT_NE((*c)["message"].get<std::string>().find("ApiMonitor shop-x/y"), std::string::npos)
      << (*c)["message"];
  EXPECT_NE((*c)["message"].get<std::string>().find("pulse-dashboard-apimonitor-shop-x-y"),
            std::string::npos);
  EXPECT_EQ(late["generated"], Json::object());
  const Json& early = writer_.last_status["apimonitors/shop-x/y"];
  EXPECT_EQ((*ConditionOf(early, "Accepted"))["status"], "True");
  EXPECT_EQ(early["generated"]["dashboard"], "pulse-dashboard-apimonitor-shop-x-y");
  ASSERT_EQ(writer_.events.size(), 1u);
  EXPECT_NE(writer_.events[0].find("DuplicateOutput"), std::string::npos) << writer_.events[0];

  auto snap = accepted_.Take();
  ASSERT_EQ(snap.api_monitors.size(), 1u);
  EXPECT_EQ(snap.api_monitors[0]->metadata.namespace_, "shop-x");

  // The first goes: the second is reconciled again and accepted.
  requeued.clear();
  store_.erase("shop-x/y");
  ASSERT_EQ(monitors.Reconcile("shop-x/y").kind, Result::Kind::kDone);
  EXPECT_EQ(requeued, (std::vector<ObjectRef>{{"ApiMonitor", "shop/x-y"}}));
  FoldStatus("apimonitors", "shop/x-y");
  ASSERT_EQ(monitors.Reconcile("shop/x-y").kind, Result::Kind::kDone);
  EXPECT_EQ((*ConditionOf(writer_.last_status["apimonitors/shop/x-y"], "Accepted"))["status"],
            "True");
}

// The informers' transform keeps what the reconcilers read and drops the bookkeeping that is
// most of a cached object (half of it, once the object has a status).
TEST(DropUnreadFieldsTest, ManagedFieldsAndLastAppliedGoOtherAnnotationsStay) {
  Json m = Monitor("a");
  m["metadata"]["managedFields"] = Json::array({{{"manager", "kubectl"}, {"operation", "Apply"}}});
  m["metadata"]["annotations"] = {{"kubectl.kubernetes.io/last-applied-configuration", "{}"},
                                  {"team", "shop"}};
  Json expected = Monitor("a");
  expected["metadata"]["annotations"] = {{"team", "shop"}};
  DropUnreadFields(m);
  EXPECT_EQ(m, expected);
  // Only the last-applied annotation: no empty annotations map is left behind.
  m["metadata"]["annotations"] = {{"kubectl.kubernetes.io/last-applied-configuration", "{}"}};
  DropUnreadFields(m);
  EXPECT_EQ(m, Monitor("a"));
  Json not_an_object = "x";
  DropUnreadFields(not_an_object);
  EXPECT_EQ(not_an_object, "x");
}

}  // namespace
}  // namespace pulse::controller
