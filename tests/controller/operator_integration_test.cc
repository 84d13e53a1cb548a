// The real `pulse-operator run` binary against the real kube-apiserver + etcd +
// kube-controller-manager (CTest fixture "kube"), authenticated as a ServiceAccount bound to
// exactly charts/pulse/files/operator-rbac.yaml (never cluster-admin):
//   - valid ApiMonitors are Accepted, an invalid one is rejected alone (Accepted=False with the
//     field path, one InvalidSpec Event) and the delivered config Secret reassembles to exactly
//     a fresh render of the valid objects;
//   - an Exporter gets its ConfigMap/Deployment/Service with ownerReferences, and deleting it
//     lets the garbage collector remove them;
//   - a restarted operator, and a touched object, write nothing (resourceVersions unchanged);
//   - SIGTERM stops it with exit 0 and releases the Lease.
// Every wait is on an observable state with a deadline.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "pulse/controller/delivery.h"
#include "pulse/controller/resources.h"
#include "pulse/kube/config.h"
#include "pulse/kube/rest_client.h"
#include "pulse/model/parse.h"
#include "pulse/render/scrape_config_renderer.h"
#include "pulse/testenv/testenv.h"
#include "pulse/testing/eventually.h"
#include "pulse/testing/loopback_listener.h"

extern char** environ;

namespace pulse::controller {
namespace {

using kube::Json;
using pulse::testing::Eventually;
using namespace std::chrono_literals;

const std::string kSuffix = std::to_string(::getpid());
const std::string kOut = "pulse-ctrl-out-" + kSuffix;
const std::string kApps = "pulse-ctrl-apps-" + kSuffix;

std::string Kubectl() { return "KUBECONFIG='" + testenv::Get("kube", "KUBECONFIG") + "' kubectl "; }

// A port free right now, for a child that cannot bind port 0 and tell us which it got.
int FreePort() {
  return pulse::testing::LoopbackListener(pulse::testing::LoopbackListener::Mode::kRefuse).port();
}

Json Monitor(const std::string& name, const std::string& interval, const std::string& timeout) {
  return {{"apiVersion", "monitoring.pulse.dev/v1alpha1"},
          {"kind", "ApiMonitor"},
          {"metadata", {{"name", name}, {"namespace", kApps}}},
          {"spec",
           {{"staticTargets", {{{"targets", {name + ".example:8080"}}}}},
            {"endpoints", {{{"interval", interval}, {"scrapeTimeout", timeout}}}}}}};
}

const Json* ConditionOf(const Json& object, const std::string& type) {
  if (!object.contains("status") || !object["status"].contains("conditions")) return nullptr;
  for (const Json& c : object["status"]["conditions"]) {
    if (c["type"] == type) return &c;
  }
  return nullptr;
}

class OperatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kube::ClientOptions options;
    options.field_manager = "test";
    admin_ = std::make_unique<kube::Client>(
        kube::LoadKubeconfig(testenv::Get("kube", "KUBECONFIG")), options);
    std::string out;
    ASSERT_EQ(testenv::Shell(Kubectl() + "apply --server-side --force-conflicts -f '" +
                                 testenv::SourceDir() + "/crds/'",
                             &out),
              0)
        << out;
    ASSERT_EQ(testenv::Shell(Kubectl() + "wait --for=condition=Established --timeout=60s "
                                         "crd/apimonitors.monitoring.pulse.dev "
                                         "crd/exporters.monitoring.pulse.dev",
                             &out),
              0)
        << out;
    for (const std::string& ns : {kOut, kApps}) {
      admin_->Create(kube::Namespaces(), "",
                     {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
    }
    // The RBAC file as shipped, moved into the test's output namespace.
    const std::string rbac = testenv::StateDir() + "/pulse-ctrl-rbac-" + kSuffix + ".yaml";
    ASSERT_EQ(testenv::Shell("sed 's/pulse-system/" + kOut + "/g' '" + testenv::SourceDir() +
                                 "/charts/pulse/files/operator-rbac.yaml' > '" + rbac + "'",
                             &out),
              0);
    ASSERT_EQ(testenv::Shell(Kubectl() + "apply -f '" + rbac + "'", &out), 0) << out;
    std::string token;
    ASSERT_EQ(
        testenv::Shell(Kubectl() + "-n " + kOut + " create token pulse-operator --duration=1h",
                       &token, false),
        0)
        << token;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    kubeconfig_ = testenv::StateDir() + "/pulse-ctrl-kubeconfig-" + kSuffix;
    std::ofstream(kubeconfig_) << "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                               << "    server: " << testenv::Get("kube", "SERVER") << "\n"
                               << "    certificate-authority: " << testenv::Get("kube", "CA_FILE")
                               << "\nusers:\n- name: u\n  user:\n    token: " << token
                               << "\ncontexts:\n- name: x\n  context:\n    cluster: c\n"
                               << "    user: u\n    namespace: " << kOut
                               << "\ncurrent-context: x\n";
    StartOperator();
  }

  static void TearDownTestSuite() {
    StopOperator();
    admin_.reset();  // before static destruction: the HTTP client's threads must end first
    std::string out;
    testenv::Shell(Kubectl() + "delete namespace " + kOut + " " + kApps + " --wait=false", &out);
  }

  static void StartOperator() {
    port_ = FreePort();
    const std::string log = testenv::StateDir() + "/pulse-ctrl-operator-" + kSuffix + ".log";
    std::vector<std::string> args = {PULSE_OPERATOR_BIN,
                                     "run",
                                     "--kubeconfig=" + kubeconfig_,
                                     "--namespaces=" + kApps,
                                     "--output-namespace=" + kOut,
                                     "--metrics-address=127.0.0.1:" + std::to_string(port_),
                                     "--lease-duration=4s",
                                     "--renew-deadline=3s",
                                     "--retry-period=500ms",
                                     "--log-format=text"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    ASSERT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }

  // SIGTERM; returns the exit status (-1 when it did not exit within the deadline).
  static int StopOperator() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    int code = -1;
    const bool exited = Eventually(
        [&] {
          if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
          code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
          return true;
        },
        20s);
    if (!exited) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return code;
  }

  // A sample's value from the operator's /metrics, -1 when absent.
  static double Metric(const std::string& series) {
    std::string page;
    if (testenv::Shell("curl -sf http://127.0.0.1:" + std::to_string(port_) + "/metrics", &page,
                       false) != 0) {
      return -1;
    }
    const auto at = page.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(page.substr(at + series.size() + 2));
  }

  static std::vector<Json> ConfigSecrets() {
    kube::ListOptions o;
    o.label_selector = std::string(kComponentLabel) + "=prometheus-config";
    std::vector<Json> out;
    const Json list = admin_->List(kube::Secrets(), kOut, o);
    for (const Json& s : list["items"]) out.push_back(s);
    return out;
  }

  // name -> resourceVersion of everything delivered into the output namespace.
  static std::map<std::string, std::string> DeliveredVersions() {
    kube::ListOptions o;
    o.label_selector = std::string(kManagedByLabel) + "=" + kManagedByValue;
    std::map<std::string, std::string> out;
    for (const auto& r : {kube::Secrets(), kube::ConfigMaps()}) {
      const Json list = admin_->List(r, kOut, o);
      for (const Json& x : list["items"]) {
        out[r.resource + "/" + x["metadata"]["name"].get<std::string>()] =
            x["metadata"]["resourceVersion"];
      }
    }
    return out;
  }

  static std::unique_ptr<kube::Client> admin_;
  static std::string kubeconfig_;
  static pid_t pid_;
  static int port_;
};
std::unique_ptr<kube::Client> OperatorTest::admin_;
std::string OperatorTest::kubeconfig_;
pid_t OperatorTest::pid_ = -1;
int OperatorTest::port_ = 0;

TEST_F(OperatorTest, InvalidMonitorIsRejectedAloneAndTheConfigIsAFreshRenderOfTheValidOnes) {
  for (const char* name : {"shop", "crm"}) {
    admin_->Create(ApiMonitors(), kApps, Monitor(name, "30s", "10s"));
  }
  admin_->Create(ApiMonitors(), kApps, Monitor("bad", "10s", "30s"));

  Json bad;
  ASSERT_TRUE(Eventually(
      [&] {
        bad = admin_->Get(ApiMonitors(), kApps, "bad");
        const Json* c = ConditionOf(bad, "Accepted");
        return c != nullptr && (*c)["status"] == "False";
      },
      60s))
      << bad.dump(2);
  const Json& accepted = *ConditionOf(bad, "Accepted");
  EXPECT_EQ(accepted["reason"], "InvalidSpec");
  EXPECT_NE(accepted["message"].get<std::string>().find("spec.endpoints[0].scrapeTimeout"),
            std::string::npos)
      << accepted;
  EXPECT_EQ(bad["status"]["observedGeneration"], bad["metadata"]["generation"]);
  EXPECT_EQ((*ConditionOf(bad, "Ready"))["status"], "False");

  std::vector<model::ApiMonitor> valid;
  for (const char* name : {"crm", "shop"}) {
    Json m;
    ASSERT_TRUE(Eventually([&] {
      m = admin_->Get(ApiMonitors(), kApps, name);
      const Json* c = ConditionOf(m, "Accepted");
      return c != nullptr && (*c)["status"] == "True";
    })) << m.dump(2);
    EXPECT_EQ((*ConditionOf(m, "Ready"))["status"], "True");
    EXPECT_EQ(m["status"]["generated"]["scrapeJobs"][0], "apimonitor/" + kApps + "/" + name + "/0");
    valid.push_back(model::ParseJson(m.dump()).objects.api_monitors.at(0));
  }

  // One InvalidSpec Event about "bad".
  auto events_about_bad = [&] {
    int n = 0;
    const Json events = admin_->List(kube::Events(), kApps);  // outlives the loop
    for (const Json& e : events["items"]) {
      if (e["regarding"]["name"] == "bad" && e["reason"] == "InvalidSpec") ++n;
    }
    return n;
  };
  ASSERT_TRUE(Eventually([&] { return events_about_bad() >= 1; }));

  render::RenderInputs inputs;
  inputs.api_monitors = valid;
  const std::string expected = render::RenderPrometheusConfig(inputs);
  DeliveryOptions delivery;
  delivery.namespace_ = kOut;
  std::string assembled;
  ASSERT_TRUE(Eventually(
      [&] {
        auto config = AssembleConfig(ConfigSecrets(), delivery, 64 << 20);
        if (!config.ok()) return false;
        assembled = config.value();
        return assembled == expected;
      },
      60s))
      << assembled << "\n---- expected ----\n"
      << expected;
  EXPECT_EQ(Metric("pulse_operator_objects{kind=\"ApiMonitor\",state=\"rejected\"}"), 1);
  EXPECT_EQ(Metric("pulse_operator_objects{kind=\"ApiMonitor\",state=\"accepted\"}"), 2);
  EXPECT_EQ(Metric("pulse_operator_leader"), 1);
  EXPECT_EQ(events_about_bad(), 1);
}

TEST_F(OperatorTest, ExporterWorkloadIsOwnedAndGarbageCollected) {
  admin_->Create(kube::Secrets(), kApps,
                 {{"apiVersion", "v1"},
                  {"kind", "Secret"},
                  {"metadata", {{"name", "db-creds"}}},
                  {"stringData", {{"username", "u"}, {"password", "p"}}}});
  const Json created =
      admin_->Create(Exporters(), kApps,
                     {{"apiVersion", "monitoring.pulse.dev/v1alpha1"},
                      {"kind", "Exporter"},
                      {"metadata", {{"name", "db"}}},
                      {"spec",
                       {{"type", "postgresql"},
                        {"postgresql",
                         {{"host", "db.example"},
                          {"databases", {"shop"}},
                          {"credentials",
                           {{"username", {{"name", "db-creds"}, {"key", "username"}}},
                            {"password", {{"name", "db-creds"}, {"key", "password"}}}}}}}}}});
  const std::string uid = created["metadata"]["uid"];
  Json exporter;
  ASSERT_TRUE(Eventually(
      [&] {
        exporter = admin_->Get(Exporters(), kApps, "db");
        const Json* c = ConditionOf(exporter, "Ready");
        return c != nullptr && (*c)["status"] == "True";
      },
      60s))
      << exporter.dump(2);
  const Json& generated = exporter["status"]["generated"];
  const std::vector<std::pair<kube::Resource, std::string>> workload = {
      {kube::ConfigMaps(), generated["configMap"]},
      {Deployments(), generated["deployment"]},
      {Services(), generated["service"]}};
  for (const auto& [resource, name] : workload) {
    const Json object = admin_->Get(resource, kApps, name);
    ASSERT_EQ(object["metadata"]["ownerReferences"].size(), 1u) << object.dump(2);
    EXPECT_EQ(object["metadata"]["ownerReferences"][0]["uid"], uid);
    EXPECT_EQ(object["metadata"]["ownerReferences"][0]["controller"], true);
  }
  admin_->Delete(Exporters(), kApps, "db");
  for (const auto& item : workload) {
    const kube::Resource& resource = item.first;
    const std::string& name = item.second;
    EXPECT_TRUE(Eventually(
        [&] {
          try {
            admin_->Get(resource, kApps, name);
            return false;
          } catch (const kube::ApiError& e) {
            return kube::IsNotFound(e);
          }
        },
        // A fresh kube-controller-manager's garbage collector picks up a new CRD's resource
        // on its periodic discovery resync (30 s), so the first collection can take that long.
        120s))
        << resource.resource << "/" << name << " was not garbage-collected";
  }
}

TEST_F(OperatorTest, TheSameObjectsAgainWriteNothing) {
  // Wait for the exporter's removal to reach the config, then take the versions.
  ASSERT_TRUE(Eventually(
      [&] {
        return Metric("pulse_operator_objects{kind=\"Exporter\",state=\"accepted\"}") == 0 &&
               Metric("pulse_operator_workqueue_depth{controller=\"config\"}") == 0;
      },
      60s));
  std::map<std::string, std::string> before;
  ASSERT_TRUE(Eventually([&] {
    // Stable across two reads: nothing in flight.
    auto a = DeliveredVersions();
    before = DeliveredVersions();
    return a == before && !before.empty();
  }));
  const Json shop_before = admin_->Get(ApiMonitors(), kApps, "shop");

  // A restarted operator starts from nothing in memory: it must still write nothing.
  ASSERT_EQ(StopOperator(), 0);
  StartOperator();
  ASSERT_TRUE(Eventually(
      [&] {
        return Metric("pulse_operator_config_renders_total") >= 1 &&
               Metric("pulse_operator_reconcile_total{controller=\"config\",result=\"done\"}") >= 1;
      },
      60s));
  // Touch an object without changing its spec (a label): reconciled, nothing written.
  admin_->MergePatch(ApiMonitors(), kApps, "shop",
                     {{"metadata", {{"labels", {{"touched", "yes"}}}}}});
  ASSERT_TRUE(Eventually([&] {
    return Metric("pulse_operator_reconcile_total{controller=\"apimonitor\",result=\"done\"}") >= 3;
  }));
  EXPECT_EQ(DeliveredVersions(), before);
  EXPECT_EQ(Metric("pulse_operator_config_writes_total{kind=\"Secret\"}"), 0);
  EXPECT_EQ(Metric("pulse_operator_config_writes_total{kind=\"ConfigMap\"}"), 0);
  const Json shop_after = admin_->Get(ApiMonitors(), kApps, "shop");
  EXPECT_EQ(shop_after["status"], shop_before["status"]);
}

TEST_F(OperatorTest, SigtermStopsCleanlyAndReleasesTheLease) {
  ASSERT_TRUE(Eventually([&] { return Metric("pulse_operator_leader") == 1; }, 60s));
  EXPECT_EQ(StopOperator(), 0);
  const Json lease = admin_->Get(kube::Leases(), kOut, "pulse-operator");
  EXPECT_EQ(lease["spec"].value("holderIdentity", ""), "") << lease.dump(2);
}

}  // namespace
}  // namespace pulse::controller
