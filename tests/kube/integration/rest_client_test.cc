// REST client against the real kube-apiserver (fixture "kube").
#include "pulse/kube/rest_client.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <set>

#include "kube_test_env.h"
#include "pulse/kube/event_recorder.h"
#include "pulse/kube/store.h"

namespace pulse::kube {
namespace {

using testing::AdminConfig;
using testing::ConfigMap;
using testing::CreateNamespace;
using testing::Eventually;
using testing::Kubectl;
using testing::ReasonOf;

class RestClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_shared<prometheus::Registry>();
    ClientOptions o;
    o.registry = registry_;
    client_ = std::make_unique<Client>(AdminConfig(), o);
    ns_ = CreateNamespace(*client_, "rest");
  }
  std::string Metrics() const {
    return prometheus::TextSerializer().Serialize(registry_->Collect());
  }
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Client> client_;
  std::string ns_;
};

TEST_F(RestClientTest, ConfigMapCrudWithTypedErrors) {
  Json created = client_->Create(ConfigMaps(), ns_, ConfigMap("one", {{"k", "v"}}, {{"app", "x"}}));
  EXPECT_EQ(created["metadata"]["namespace"], ns_);
  EXPECT_FALSE(ResourceVersionOf(created).empty());

  Json got = client_->Get(ConfigMaps(), ns_, "one");
  EXPECT_EQ(got["data"]["k"], "v");

  EXPECT_EQ(ReasonOf([&] { client_->Create(ConfigMaps(), ns_, ConfigMap("one")); }),
            Reason::kAlreadyExists);
  EXPECT_EQ(ReasonOf([&] { client_->Get(ConfigMaps(), ns_, "absent"); }), Reason::kNotFound);

  // Update with the current version succeeds; with the old one it conflicts.
  Json changed = got;
  changed["data"]["k"] = "v2";
  Json updated = client_->Update(ConfigMaps(), ns_, changed);
  EXPECT_EQ(updated["data"]["k"], "v2");
  EXPECT_EQ(ReasonOf([&] { client_->Update(ConfigMaps(), ns_, changed); }), Reason::kConflict);

  Json patched = client_->MergePatch(ConfigMaps(), ns_, "one", {{"data", {{"extra", "1"}}}});
  EXPECT_EQ(patched["data"]["extra"], "1");
  EXPECT_EQ(patched["data"]["k"], "v2");

  // An invalid object: typed Invalid with the field named.
  try {
    client_->Create(ConfigMaps(), ns_, ConfigMap("Bad_Name"));
    FAIL() << "accepted an invalid name";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.reason(), Reason::kInvalid);
    ASSERT_FALSE(e.causes().empty());
    EXPECT_EQ(e.causes()[0].field, "metadata.name");
  }

  client_->Delete(ConfigMaps(), ns_, "one");
  EXPECT_EQ(ReasonOf([&] { client_->Get(ConfigMaps(), ns_, "one"); }), Reason::kNotFound);
  EXPECT_EQ(ReasonOf([&] { client_->Delete(ConfigMaps(), ns_, "one"); }), Reason::kNotFound);

  const std::string m = Metrics();
  EXPECT_NE(m.find(R"(pulse_kube_client_requests_total{code="404",verb="get"} 2)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(R"(pulse_kube_client_errors_total{reason="Conflict"} 1)"), std::string::npos);
  EXPECT_NE(m.find(R"(pulse_kube_client_errors_total{reason="Forbidden"} 0)"), std::string::npos)
      << "every reason exists from the start";
}

TEST_F(RestClientTest, SelectorsAndPagingReturnEveryObjectOnce) {
  for (int i = 0; i < 57; ++i) {
    client_->Create(ConfigMaps(), ns_,
                    ConfigMap("cm-" + std::to_string(i), {{"v", "data"}},
                              {{"parity", i % 2 == 0 ? "even" : "odd"}, {"set", "paging"}}));
  }
  ListOptions lo;
  lo.label_selector = "set=paging";
  lo.limit = 10;
  Json first = client_->List(ConfigMaps(), ns_, lo);
  EXPECT_EQ(first["items"].size(), 10u);
  EXPECT_FALSE(first["metadata"].value("continue", "").empty());

  Json all = client_->ListAll(ConfigMaps(), ns_, lo);
  std::multiset<std::string> names;
  for (const auto& item : all["items"]) names.insert(item["metadata"]["name"].get<std::string>());
  EXPECT_EQ(names.size(), 57u);
  for (int i = 0; i < 57; ++i) EXPECT_EQ(names.count("cm-" + std::to_string(i)), 1u) << i;
  EXPECT_FALSE(ResourceVersionOf(all).empty());

  lo.label_selector = "set=paging,parity!=odd";  // needs escaping of '=' ',' '!'
  EXPECT_EQ(client_->ListAll(ConfigMaps(), ns_, lo)["items"].size(), 29u);
  lo.label_selector.clear();
  lo.field_selector = "metadata.name=cm-7";
  Json one = client_->ListAll(ConfigMaps(), ns_, lo);
  ASSERT_EQ(one["items"].size(), 1u);
  EXPECT_EQ(one["items"][0]["metadata"]["name"], "cm-7");
  // Metadata only, page by page: names and labels of every object, none of their data.
  lo.field_selector.clear();
  lo.label_selector = "set=paging";
  lo.metadata_only = true;
  std::multiset<std::string> pages_names;
  int pages = 0;
  const Json md = client_->ListEach(ConfigMaps(), ns_, lo, [&](Json& items) {
    ++pages;
    for (const auto& item : items) {
      EXPECT_EQ(item.value("kind", ""), "PartialObjectMetadata");
      EXPECT_FALSE(item.contains("data")) << item.dump();
      EXPECT_EQ(item["metadata"]["labels"]["set"], "paging");
      pages_names.insert(item["metadata"]["name"].get<std::string>());
    }
  });
  EXPECT_EQ(pages, 6);  // 57 objects, 10 per page
  EXPECT_EQ(pages_names, names);
  EXPECT_FALSE(md.value("resourceVersion", "").empty());
  EXPECT_FALSE(md.contains("continue"));
  lo.metadata_only = false;
  // A malformed selector is the server's BadRequest, typed.
  lo.field_selector = "metadata.name==";
  lo.label_selector = "a in (";
  EXPECT_EQ(ReasonOf([&] { client_->List(ConfigMaps(), ns_, lo); }), Reason::kBadRequest);
}

TEST_F(RestClientTest, ServerSideApplyTwiceLeavesResourceVersionUnchanged) {
  const Json desired = ConfigMap("applied", {{"a", "1"}}, {{"owner", "pulse"}});
  Json first = client_->Apply(ConfigMaps(), ns_, "applied", desired);
  Json second = client_->Apply(ConfigMaps(), ns_, "applied", desired);
  EXPECT_EQ(ResourceVersionOf(first), ResourceVersionOf(second));
  bool ours = false;
  for (const auto& mf : second["metadata"]["managedFields"]) {
    ours |= mf.value("manager", "") == "pulse-operator" && mf.value("operation", "") == "Apply";
  }
  EXPECT_TRUE(ours) << second["metadata"]["managedFields"].dump();

  Json changed = desired;
  changed["data"]["a"] = "2";
  Json third = client_->Apply(ConfigMaps(), ns_, "applied", changed);
  EXPECT_NE(ResourceVersionOf(third), ResourceVersionOf(second));

  // Another manager takes the field; our apply conflicts unless forced.
  ASSERT_EQ(Kubectl("-n " + ns_ +
                    " patch configmap applied --type=merge --field-manager=someone-else -p "
                    "'{\"data\":{\"a\":\"theirs\"}}'"),
            0);
  EXPECT_EQ(ReasonOf([&] { client_->Apply(ConfigMaps(), ns_, "applied", changed); }),
            Reason::kConflict);
  ApplyOptions force;
  force.force = true;
  EXPECT_EQ(client_->Apply(ConfigMaps(), ns_, "applied", changed, force)["data"]["a"], "2");
}

TEST_F(RestClientTest, CustomResourceCrudAndStatusSubresource) {
  const std::string crd = testenv::SourceDir() + "/tests/kube/testdata/widget-crd.yaml";
  std::string out;
  ASSERT_EQ(Kubectl("apply --server-side -f " + crd, &out), 0) << out;
  ASSERT_EQ(Kubectl("wait --for=condition=Established --timeout=60s "
                    "crd/widgets.test.pulse.dev",
                    &out),
            0)
      << out;
  const Resource widgets{"test.pulse.dev", "v1", "widgets", true};
  Json w = {{"apiVersion", "test.pulse.dev/v1"},
            {"kind", "Widget"},
            {"metadata", {{"name", "w1"}}},
            {"spec", {{"size", 3}, {"color", "red"}}},
            {"status", {{"phase", "ignored-on-create"}}}};
  // Discovery of a new CRD can take a moment; retry NotFound briefly.
  Json created;
  ASSERT_TRUE(Eventually([&] {
    try {
      created = client_->Create(widgets, ns_, w);
      return true;
    } catch (const ApiError& e) {
      if (!IsNotFound(e)) throw;
      return false;
    }
  }));
  EXPECT_FALSE(created.contains("status")) << "status is only written through /status";

  created["status"] = {{"phase", "Ready"}};
  Json st = client_->UpdateStatus(widgets, ns_, created);
  EXPECT_EQ(st["status"]["phase"], "Ready");
  EXPECT_EQ(client_->Get(widgets, ns_, "w1")["status"]["phase"], "Ready");

  Json sp =
      client_->MergePatch(widgets, ns_, "w1", {{"status", {{"phase", "Degraded"}}}}, "status");
  EXPECT_EQ(sp["status"]["phase"], "Degraded");

  // Schema validation: typed Invalid naming the field.
  Json bad = w;
  bad["metadata"]["name"] = "w2";
  bad["spec"]["color"] = "purple";
  bad["spec"]["size"] = 0;
  try {
    client_->Create(widgets, ns_, bad);
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.reason(), Reason::kInvalid);
    std::set<std::string> fields;
    for (const auto& c : e.causes()) fields.insert(c.field);
    EXPECT_TRUE(fields.count("spec.color")) << e.what();
    EXPECT_TRUE(fields.count("spec.size")) << e.what();
  }

  Json applied = client_->Apply(widgets, ns_, "w3",
                                {{"apiVersion", "test.pulse.dev/v1"},
                                 {"kind", "Widget"},
                                 {"metadata", {{"name", "w3"}}},
                                 {"spec", {{"size", 1}}}});
  EXPECT_EQ(applied["spec"]["size"], 1);
  EXPECT_EQ(client_->ListAll(widgets, ns_)["items"].size(), 2u);
  DeleteOptions fg;
  fg.propagation = Propagation::kForeground;
  client_->Delete(widgets, ns_, "w1", fg);
  EXPECT_TRUE(Eventually([&] {
    try {
      client_->Get(widgets, ns_, "w1");
      return false;
    } catch (const ApiError& e) {
      return IsNotFound(e);
    }
  }));
}

TEST_F(RestClientTest, DeletePropagationGarbageCollectsDependents) {
  Json owner = client_->Create(ConfigMaps(), ns_, ConfigMap("owner"));
  Json child = ConfigMap("child");
  child["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "v1"},
                                                       {"kind", "ConfigMap"},
                                                       {"name", "owner"},
                                                       {"uid", owner["metadata"]["uid"]}}});
  client_->Create(ConfigMaps(), ns_, child);
  Json orphan = ConfigMap("orphan-child");
  orphan["metadata"]["ownerReferences"] = child["metadata"]["ownerReferences"];
  DeleteOptions bg;
  bg.propagation = Propagation::kBackground;
  bg.precondition_uid = owner["metadata"]["uid"];
  client_->Delete(ConfigMaps(), ns_, "owner", bg);
  // The real garbage collector (kube-controller-manager) removes the dependent.
  EXPECT_TRUE(Eventually(
      [&] {
        try {
          client_->Get(ConfigMaps(), ns_, "child");
          return false;
        } catch (const ApiError& e) {
          return IsNotFound(e);
        }
      },
      std::chrono::seconds(60)));
  // A uid precondition that does not match is a Conflict.
  client_->Create(ConfigMaps(), ns_, ConfigMap("pre"));
  DeleteOptions wrong;
  wrong.precondition_uid = "00000000-0000-0000-0000-000000000000";
  EXPECT_EQ(ReasonOf([&] { client_->Delete(ConfigMaps(), ns_, "pre", wrong); }), Reason::kConflict);
}

TEST_F(RestClientTest, EventsAreRecordedAgainstTheObject) {
  Json cm = client_->Create(ConfigMaps(), ns_, ConfigMap("subject"));
  cm["apiVersion"] = "v1";
  cm["kind"] = "ConfigMap";
  EventRecorderOptions eo;
  eo.reporting_controller = "pulse.dev/test";
  eo.reporting_instance = "test-instance";
  EventRecorder recorder(*client_, eo);
  std::string long_note(3000, 'x');
  long_note.replace(1023, 2, "\xc3\xa9");  // a two-byte character across the 1 KiB cut
  Json ev = recorder.Record(cm, EventType::kWarning, "InvalidSpec", "Validate", long_note);
  Json got = client_->Get(Events(), ns_, ev["metadata"]["name"].get<std::string>());
  EXPECT_EQ(got["reason"], "InvalidSpec");
  EXPECT_EQ(got["type"], "Warning");
  EXPECT_EQ(got["regarding"]["uid"], cm["metadata"]["uid"]);
  EXPECT_EQ(got["reportingController"], "pulse.dev/test");
  EXPECT_LE(got["note"].get<std::string>().size(), 1024u);
  std::string out;
  ASSERT_EQ(Kubectl("-n " + ns_ + " events --for configmap/subject", &out), 0) << out;
  EXPECT_NE(out.find("InvalidSpec"), std::string::npos) << out;
}

TEST_F(RestClientTest, TlsIsVerifiedAndAnonymousIsForbidden) {
  Config cfg = AdminConfig();
  // Another CA: the server certificate must be rejected.
  Config wrong_ca = cfg;
  wrong_ca.tls.ca_file = testenv::StateDir() + "/kube/certs/wrong-ca.crt";
  ASSERT_EQ(testenv::Shell("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other "
                           "-keyout /dev/null -out " +
                           wrong_ca.tls.ca_file),
            0);
  EXPECT_EQ(ReasonOf([&] { Client(wrong_ca).Get(Namespaces(), "", "default"); }),
            Reason::kTransport);
  // No CA at all: the system store does not know the test CA either.
  Config no_ca = cfg;
  no_ca.tls.ca_file.clear();
  EXPECT_EQ(ReasonOf([&] { Client(no_ca).Get(Namespaces(), "", "default"); }), Reason::kTransport);
  // Trusted server but no credentials: anonymous, and RBAC says no.
  Config anonymous = cfg;
  anonymous.tls.client_cert_file.clear();
  anonymous.tls.client_key_file.clear();
  EXPECT_EQ(ReasonOf([&] { Client(anonymous).Get(ConfigMaps(), ns_, "x"); }), Reason::kForbidden);
  // A bogus bearer token: Unauthorized.
  Config bogus = anonymous;
  bogus.token = [] { return std::string("not-a-token"); };
  EXPECT_EQ(ReasonOf([&] { Client(bogus).Get(ConfigMaps(), ns_, "x"); }), Reason::kUnauthorized);
  // Explicit insecure mode connects (only because it was asked for).
  Config insecure = cfg;
  insecure.tls.ca_file.clear();
  insecure.tls.insecure_skip_verify = true;
  EXPECT_EQ(Client(insecure).Get(Namespaces(), "", "default")["metadata"]["name"], "default");
}

TEST_F(RestClientTest, InlineCertificateDataWorks) {
  auto read = [](const std::string& p) {
    std::string out;
    testenv::Shell("cat '" + p + "'", &out, false);
    return out;
  };
  Config cfg = AdminConfig();
  Config inline_cfg = cfg;
  inline_cfg.tls.ca_data = read(testenv::Get("kube", "CA_FILE"));
  inline_cfg.tls.client_cert_data = read(testenv::Get("kube", "CLIENT_CERT"));
  inline_cfg.tls.client_key_data = read(testenv::Get("kube", "CLIENT_KEY"));
  inline_cfg.tls.ca_file = inline_cfg.tls.client_cert_file = inline_cfg.tls.client_key_file = "";
  EXPECT_EQ(Client(inline_cfg).Get(Namespaces(), "", ns_)["metadata"]["name"], ns_);
}

}  // namespace
}  // namespace pulse::kube
