// The real `pulse-operator run` binary against the real kube-apiserver + etcd +
// kube-controller-manager (CTest fixture "kube"), authenticated as a ServiceAccount bound to
// exactly charts/pulse/files/operator-rbac.yaml (never cluster-admin):
//   - valid ApiMonitors are Accepted, an invalid one is rejected alone (Accepted=False with the
//     field path, one InvalidSpec Event) and the delivered config Secret reassembles to exactly
//     a fresh render of the valid objects;
//   - an Exporter gets its ConfigMap/Deployment/Service with ownerReferences, and deleting it
//     lets the garbage collector remove them;
//   - a referenced Secret is watched by name: its creation accepts a waiting object at once, a
//     new value reaches the generated scrape credentials Secret, which the config names as files;
//   - of two objects whose outputs collide, the later one is rejected alone (naming the first),
//     the first keeps working, and the second takes over when the first goes;
//   - every metric family is on /metrics from the start;
//   - a restarted operator, and a touched object, write nothing (resourceVersions unchanged);
//   - with --shards 2, one config Secret set per shard (and back);
//   - with --remote-write-config, the Secret keys its basic auth names are copied into the
//     credentials Secret (created late, rotated, both followed) and the config names the files;
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

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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
// A second watched namespace whose name makes dashboard names collide with kApps' objects:
// ApiMonitor kDup/dash and kApps/x-dash both deliver "pulse-dashboard-apimonitor-<kApps>-x-dash".
const std::string kDup = kApps + "-x";

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
    for (const std::string& ns : {kOut, kApps, kDup}) {
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
    testenv::Shell(
        Kubectl() + "delete namespace " + kOut + " " + kApps + " " + kDup + " --wait=false", &out);
  }

  // `extra` flags are added to the command line (one test restarts it with remote write).
  static void StartOperator(const std::vector<std::string>& extra = {}) {
    port_ = FreePort();
    const std::string log = testenv::StateDir() + "/pulse-ctrl-operator-" + kSuffix + ".log";
    std::vector<std::string> args = {PULSE_OPERATOR_BIN,
                                     "run",
                                     "--kubeconfig=" + kubeconfig_,
                                     "--namespaces=" + kApps + "," + kDup,
                                     "--output-namespace=" + kOut,
                                     "--metrics-address=127.0.0.1:" + std::to_string(port_),
                                     "--lease-duration=4s",
                                     "--renew-deadline=3s",
                                     "--retry-period=500ms",
                                     "--log-format=text"};
    args.insert(args.end(), extra.begin(), extra.end());
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

  // The unsharded config the operator delivered, reassembled as the config sync does; "" when
  // it is incomplete or absent.
  static std::string DeliveredConfig() {
    DeliveryOptions delivery;
    delivery.namespace_ = kOut;
    auto config = AssembleConfig(ConfigSecrets(), delivery, 64 << 20);
    return config.ok() ? config.value() : std::string();
  }

  // The files of the generated credentials Secret; empty when it does not exist.
  static std::map<std::string, std::string> Credentials() {
    try {
      return CredentialFiles(admin_->Get(kube::Secrets(), kOut, "pulse-scrape-credentials"));
    } catch (const kube::ApiError&) {
      return {};
    }
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

// Every family issue 10 lists is on the first page /metrics serves, with its zero series
// (those whose labels are known up front), before any custom resource exists.
TEST_F(OperatorTest, MetricsArePresentFromTheStart) {
  std::string page;
  ASSERT_TRUE(Eventually([&] {
    return testenv::Shell("curl -sf http://127.0.0.1:" + std::to_string(port_) + "/metrics", &page,
                          false) == 0;
  }));
  for (const std::string family : {
           "pulse_operator_reconcile_total",             // reconciles by kind and result
           "pulse_operator_reconcile_errors_total",      // errors by kind
           "pulse_operator_reconcile_duration_seconds",  // histogram
           "pulse_operator_workqueue_depth",
           "pulse_operator_workqueue_latency_seconds",
           "pulse_operator_objects",  // by kind and state
           "pulse_operator_config_hash_info",
           "pulse_operator_config_bytes",
           "pulse_operator_leader",
       }) {
    EXPECT_NE(page.find("# TYPE " + family + " "), std::string::npos) << family << "\n" << page;
  }
  for (const std::string controller : {"apimonitor", "exporter", "config"}) {
    const std::string c = "controller=\"" + controller + "\"";
    for (const std::string& series : {
             "pulse_operator_reconcile_total{" + c + ",result=\"terminal_error\"}",
             "pulse_operator_reconcile_errors_total{" + c + "}",
             "pulse_operator_reconcile_duration_seconds_count{" + c + "}",
             "pulse_operator_workqueue_latency_seconds_count{" + c + "}",
         }) {
      EXPECT_NE(page.find("\n" + series + " "), std::string::npos) << series;
    }
    EXPECT_NE(page.find("\npulse_operator_workqueue_depth{" + c + "} "), std::string::npos);
  }
  for (const std::string kind : {"ApiMonitor", "Exporter"}) {
    for (const std::string state : {"accepted", "rejected"}) {
      EXPECT_NE(
          page.find("\npulse_operator_objects{kind=\"" + kind + "\",state=\"" + state + "\"} "),
          std::string::npos)
          << kind << " " << state;
    }
  }
  EXPECT_NE(page.find("\npulse_operator_leader "), std::string::npos);
  EXPECT_NE(page.find("\npulse_operator_config_bytes "), std::string::npos);
  EXPECT_NE(page.find("\npulse_kube_client_errors_total{"), std::string::npos);
  // API requests by verb and code: its series are labelled with the response code, so the
  // family appears with the first response (the informers' first LIST), moments after start.
  EXPECT_TRUE(Eventually(
      [&] {
        return testenv::Shell("curl -sf http://127.0.0.1:" + std::to_string(port_) + "/metrics",
                              &page, false) == 0 &&
               page.find("\npulse_kube_client_requests_total{code=\"200\",verb=\"list\"} ") !=
                   std::string::npos;
      },
      10s))
      << page;
}

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

TEST_F(OperatorTest, ReferencedSecretsAreWatchedAndCopiedIntoTheCredentialsSecret) {
  Json m = Monitor("auth", "30s", "10s");
  m["spec"]["endpoints"][0]["basicAuth"] = {
      {"username", {{"name", "scrape-creds"}, {"key", "user"}}},
      {"password", {{"name", "scrape-creds"}, {"key", "pass"}}}};
  admin_->Create(ApiMonitors(), kApps, m);
  auto accepted = [&](const std::string& ns, const std::string& name, const char* status) {
    const Json x = admin_->Get(ApiMonitors(), ns, name);
    const Json* c = ConditionOf(x, "Accepted");
    return c != nullptr && (*c)["status"] == status;
  };
  // Its Secret does not exist yet: rejected.
  ASSERT_TRUE(Eventually([&] { return accepted(kApps, "auth", "False"); }, 60s));
  // Creating the Secret is an event of the name watch: accepted well before the 30 s recheck.
  admin_->Create(kube::Secrets(), kApps,
                 {{"apiVersion", "v1"},
                  {"kind", "Secret"},
                  {"metadata", {{"name", "scrape-creds"}}},
                  {"stringData", {{"user", "scraper"}, {"pass", "first"}}}});
  ASSERT_TRUE(Eventually([&] { return accepted(kApps, "auth", "True"); }, 15s));

  const std::string user_key = kApps + "_scrape-creds_user";
  const std::string pass_key = kApps + "_scrape-creds_pass";
  ASSERT_TRUE(Eventually([&] {
    return Credentials() ==
           std::map<std::string, std::string>{{pass_key, "first"}, {user_key, "scraper"}};
  }));
  std::string yml;
  ASSERT_TRUE(Eventually([&] {
    yml = DeliveredConfig();
    return yml.find("password_file: /etc/prometheus/pulse-credentials/" + pass_key) !=
           std::string::npos;
  })) << yml;
  EXPECT_EQ(yml.find("first"), std::string::npos);  // the value itself is never in the config

  // The monitor is accepted, so nothing but the Secret's own watch can bring a new value.
  admin_->MergePatch(kube::Secrets(), kApps, "scrape-creds",
                     {{"stringData", {{"pass", "second"}}}});
  EXPECT_TRUE(Eventually([&] { return Credentials()[pass_key] == "second"; }, 15s))
      << ::testing::PrintToString(Credentials());

  // Nothing references a Secret any more: the generated Secret goes.
  admin_->Delete(ApiMonitors(), kApps, "auth");
  EXPECT_TRUE(Eventually([&] { return Credentials().empty(); }, 60s));
  admin_->Delete(kube::Secrets(), kApps, "scrape-creds");
}

TEST_F(OperatorTest, ACollidingObjectIsRejectedAloneAndTheFirstKeepsWorking) {
  auto monitor = [](const std::string& name) {
    Json m = Monitor(name, "30s", "10s");
    m["metadata"].erase("namespace");
    m["spec"]["dashboard"] = {{"perMonitor", true}};
    return m;
  };
  auto condition = [&](const std::string& ns, const std::string& name) {
    const Json x = admin_->Get(ApiMonitors(), ns, name);
    const Json* c = ConditionOf(x, "Accepted");
    return c != nullptr ? *c : Json::object();
  };
  admin_->Create(ApiMonitors(), kDup, monitor("dash"));
  ASSERT_TRUE(
      Eventually([&] { return condition(kDup, "dash").value("status", "") == "True"; }, 60s));
  std::this_thread::sleep_for(1100ms);  // creationTimestamp has second precision
  admin_->Create(ApiMonitors(), kApps, monitor("x-dash"));
  Json c;
  ASSERT_TRUE(Eventually(
      [&] {
        c = condition(kApps, "x-dash");
        return c.value("status", "") == "False";
      },
      60s))
      << c.dump();
  EXPECT_EQ(c["reason"], "DuplicateOutput");
  EXPECT_NE(c["message"].get<std::string>().find("ApiMonitor " + kDup + "/dash"), std::string::npos)
      << c;
  EXPECT_EQ(condition(kDup, "dash").value("status", ""), "True");

  // The first one's dashboard and job are delivered, the second's job is not.
  const std::string dashboard = "pulse-dashboard-apimonitor-" + kApps + "-x-dash";
  EXPECT_EQ(admin_->Get(ApiMonitors(), kDup, "dash")["status"]["generated"]["dashboard"],
            dashboard);
  DeliveryOptions delivery;
  delivery.namespace_ = kOut;
  std::string yml;
  ASSERT_TRUE(Eventually([&] {
    auto config = AssembleConfig(ConfigSecrets(), delivery, 64 << 20);
    yml = config.ok() ? config.value() : "";
    return yml.find("apimonitor/" + kDup + "/dash/0") != std::string::npos;
  })) << yml;
  EXPECT_EQ(yml.find("apimonitor/" + kApps + "/x-dash/0"), std::string::npos);
  const Json cm = admin_->Get(kube::ConfigMaps(), kOut, dashboard);
  EXPECT_TRUE(cm["data"].contains("apimonitor_" + kDup + "_dash.json")) << cm["data"].dump();
  EXPECT_TRUE(Eventually([&] {
    const Json events = admin_->List(kube::Events(), kApps);
    for (const Json& e : events["items"]) {
      if (e["regarding"]["name"] == "x-dash" && e["reason"] == "DuplicateOutput") return true;
    }
    return false;
  }));

  // The first goes: the second takes over.
  admin_->Delete(ApiMonitors(), kDup, "dash");
  EXPECT_TRUE(
      Eventually([&] { return condition(kApps, "x-dash").value("status", "") == "True"; }, 60s));
  EXPECT_TRUE(Eventually([&] {
    auto config = AssembleConfig(ConfigSecrets(), delivery, 64 << 20);
    return config.ok() && config->find("apimonitor/" + kApps + "/x-dash/0") != std::string::npos;
  }));
  admin_->Delete(ApiMonitors(), kApps, "x-dash");
  EXPECT_TRUE(Eventually([&] {
    return Metric("pulse_operator_objects{kind=\"ApiMonitor\",state=\"accepted\"}") == 2;
  }));
  // ... and its dashboard is gone from the output (the next test counts what is delivered).
  EXPECT_TRUE(Eventually(
      [&] {
        try {
          admin_->Get(kube::ConfigMaps(), kOut, dashboard);
          return false;
        } catch (const kube::ApiError& e) {
          return kube::IsNotFound(e);
        }
      },
      60s));
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

TEST_F(OperatorTest, RemoteWriteSecretsAreCopiedAndFollowed) {
  ASSERT_EQ(StopOperator(), 0);
  const std::string file = testenv::StateDir() + "/pulse-ctrl-remote-write-" + kSuffix + ".yaml";
  std::ofstream(file) << "url: http://127.0.0.1:9/api/v1/write\n"
                      << "secretNamespace: " << kOut << "\n"
                      << "basicAuth:\n"
                      << "  username: {name: store-auth, key: user}\n"
                      << "  password: {name: store-auth, key: pass}\n";
  StartOperator({"--remote-write-config=" + file});
  const std::string user_key = kOut + "_store-auth_user";
  const std::string pass_key = kOut + "_store-auth_pass";
  // The Secret does not exist yet: the config is delivered naming the files, the gap is counted.
  std::string yml;
  ASSERT_TRUE(Eventually([&] {
    yml = DeliveredConfig();
    return yml.find("password_file: /etc/prometheus/pulse-credentials/" + pass_key) !=
           std::string::npos;
  })) << yml;
  EXPECT_NE(yml.find("remote_write:"), std::string::npos);
  EXPECT_NE(yml.find("url: http://127.0.0.1:9/api/v1/write"), std::string::npos);
  EXPECT_TRUE(
      Eventually([&] { return Metric("pulse_operator_remote_write_credentials_missing") == 2; }));
  EXPECT_EQ(Credentials().count(pass_key), 0u);

  // Created: its name watch re-renders the config, and the values are copied.
  admin_->Create(kube::Secrets(), kOut,
                 {{"apiVersion", "v1"},
                  {"kind", "Secret"},
                  {"metadata", {{"name", "store-auth"}}},
                  {"stringData", {{"user", "writer"}, {"pass", "one"}}}});
  EXPECT_TRUE(Eventually(
      [&] {
        auto c = Credentials();
        return c[user_key] == "writer" && c[pass_key] == "one";
      },
      15s))
      << ::testing::PrintToString(Credentials());
  EXPECT_TRUE(
      Eventually([&] { return Metric("pulse_operator_remote_write_credentials_missing") == 0; }));
  // Rotated: the new value follows without a restart; the config itself does not change.
  const std::string config_before = yml;
  admin_->MergePatch(kube::Secrets(), kOut, "store-auth", {{"stringData", {{"pass", "two"}}}});
  EXPECT_TRUE(Eventually([&] { return Credentials()[pass_key] == "two"; }, 15s))
      << ::testing::PrintToString(Credentials());
  EXPECT_EQ(DeliveredConfig(), config_before);
  EXPECT_EQ(config_before.find("two"), std::string::npos);  // values are never in the config

  // Without remote write again: its keys leave the credentials Secret, remote_write the config.
  ASSERT_EQ(StopOperator(), 0);
  StartOperator();
  EXPECT_TRUE(Eventually(
      [&] {
        const std::string c = DeliveredConfig();
        return !c.empty() && c.find("remote_write:") == std::string::npos &&
               Credentials().count(pass_key) == 0;
      },
      60s));
  admin_->Delete(kube::Secrets(), kOut, "store-auth");
}

// run --shards 2 (docs/sharding.md): one config Secret set per shard, each its shard's
// hashmod/keep config; the unsharded Secret goes, and comes back with one shard.
TEST_F(OperatorTest, ShardedRunDeliversOneConfigPerShard) {
  ASSERT_EQ(StopOperator(), 0);
  StartOperator({"--shards=2"});
  auto assembled = [&](const std::string& secret) {
    DeliveryOptions d;
    d.namespace_ = kOut;
    d.config_secret = secret;
    std::vector<Json> mine;
    for (const Json& s : ConfigSecrets()) {
      const std::string name = s["metadata"]["name"];
      // The head and its numbered parts only ("<secret>-1", ...), not another shard's head.
      const std::string rest = name.substr(std::min(name.size(), secret.size()));
      if (name.rfind(secret, 0) == 0 &&
          (rest.empty() || (rest[0] == '-' && rest.size() > 1 &&
                            rest.find_first_not_of("0123456789", 1) == std::string::npos))) {
        mine.push_back(s);
      }
    }
    auto c = AssembleConfig(mine, d, 64 << 20);
    return c.ok() ? c.value() : std::string();
  };
  ASSERT_TRUE(Eventually(
      [&] {
        return assembled("pulse-prometheus-config-shard-1").find("prometheus_shard: \"1\"") !=
                   std::string::npos &&
               assembled("pulse-prometheus-config").empty();
      },
      60s))
      << assembled("pulse-prometheus-config");
  for (int i : {0, 1}) {
    const std::string yml = assembled("pulse-prometheus-config-shard-" + std::to_string(i));
    EXPECT_NE(yml.find("action: hashmod"), std::string::npos) << yml;
    EXPECT_NE(yml.find("regex: \"" + std::to_string(i) + "\""), std::string::npos) << yml;
    EXPECT_EQ(yml.find("rule_files:"), std::string::npos) << yml;  // rules run where all are
  }
  ASSERT_EQ(StopOperator(), 0);
  StartOperator();
  EXPECT_TRUE(Eventually(
      [&] {
        return !assembled("pulse-prometheus-config").empty() &&
               assembled("pulse-prometheus-config-shard-0").empty() &&
               assembled("pulse-prometheus-config-shard-1").empty();
      },
      60s));
}

TEST_F(OperatorTest, SigtermStopsCleanlyAndReleasesTheLease) {
  ASSERT_TRUE(Eventually([&] { return Metric("pulse_operator_leader") == 1; }, 60s));
  EXPECT_EQ(StopOperator(), 0);
  const Json lease = admin_->Get(kube::Leases(), kOut, "pulse-operator");
  EXPECT_EQ(lease["spec"].value("holderIdentity", ""), "") << lease.dump(2);
}

}  // namespace
}  // namespace pulse::controller
