// The pulse-exporter binary end to end: --help, bad configs with their specific messages,
// /healthz, and faults — a target down at start, a PostgreSQL killed mid-run, a stalled peer that
// accepts connections and never answers: /metrics keeps answering fast with the last values and
// their age.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "pulse/testenv/testenv.h"
#include "pulse/testing/loopback_listener.h"
#include "support.h"

namespace pulse::exporter {
namespace {

using testing::ExporterProcess;
using testing::Value;

const std::string kBinary = PULSE_EXPORTER_BIN;

std::string WriteTemp(const std::string& content) {
  char name[] = "/tmp/pulse-exporter-cfg-XXXXXX";
  const int fd = mkstemp(name);
  ::close(fd);
  std::ofstream(name) << content;
  return name;
}

std::string CheckConfig(const std::string& config, int* code) {
  const std::string path = WriteTemp(config);
  std::string out;
  *code = testing::RunExporter(kBinary, {"--config", path, "--check"}, &out);
  std::remove(path.c_str());
  // Messages name the file; replace its random name for comparisons.
  for (std::size_t at; (at = out.find(path)) != std::string::npos;)
    out.replace(at, path.size(), "CFG");
  return out;
}

TEST(ExporterProcess, HelpAndUsage) {
  std::string out;
  EXPECT_EQ(testing::RunExporter(kBinary, {"--help"}, &out), 0);
  EXPECT_NE(out.find("Usage: pulse-exporter --config FILE"), std::string::npos);
  EXPECT_EQ(testing::RunExporter(kBinary, {}, &out), 2);
  EXPECT_NE(out.find("--config FILE is required"), std::string::npos);
  EXPECT_EQ(testing::RunExporter(kBinary, {"--bogus"}, &out), 2);
  EXPECT_NE(out.find("unknown argument '--bogus'"), std::string::npos);
  EXPECT_EQ(testing::RunExporter(kBinary, {"--config", "/nonexistent/x.yaml"}, &out), 1);
  EXPECT_EQ(out,
            "pulse-exporter: /nonexistent/x.yaml: cannot read config: No such file or directory\n");
}

TEST(ExporterProcess, BadConfigsGiveSpecificMessages) {
  int code = 0;
  EXPECT_EQ(CheckConfig("targets: [{name: a, type: mysql}]\n", &code),
            "CFG: targets[0].type: unknown target type \"mysql\" (must be rabbitmq, postgresql or "
            "s3)\n");
  EXPECT_EQ(code, 1);
  EXPECT_EQ(CheckConfig("targets: [{name: a, type: postgresql, postgresql: {user: u}}]\n", &code),
            "CFG: targets[0].postgresql.host: is required\n");
  EXPECT_EQ(CheckConfig("targets: [{name: a, type: rabbitmq, rabbitmq: {url: \"localhost:15672\", "
                        "username: u, password: {env: P}}}]\n",
                        &code),
            "CFG: targets[0].rabbitmq.url: must be an http:// or https:// URL with a host, got "
            "\"localhost:15672\"\n");
  EXPECT_EQ(CheckConfig("targets: [{name: a, type: rabbitmq, rabbitmq: {url: \"http://h\", "
                        "username: u, password: {file: /nonexistent/secret}}}]\n",
                        &code),
            "CFG: targets[0].rabbitmq.password: cannot read credentials file /nonexistent/secret: "
            "No such file or directory\n");
  EXPECT_EQ(code, 1);
  EXPECT_EQ(CheckConfig("targets: [{name: a, type: rabbitmq, rabbitmq: {url: \"http://h\", "
                        "username: u, password: {env: PULSE_UNSET_VARIABLE_X}}}]\n",
                        &code),
            "CFG: targets[0].rabbitmq.password: environment variable PULSE_UNSET_VARIABLE_X is not "
            "set or empty\n");
  const std::string ok = CheckConfig(
      "targets: [{name: a, type: postgresql, postgresql: {host: h, user: u}}]\n", &code);
  EXPECT_EQ(code, 0) << ok;
  EXPECT_EQ(ok, "config OK: 1 target(s)\n");
  std::string out;
  const std::string path =
      WriteTemp("targets: [{name: a, type: postgresql, postgresql: {host: h, user: u}}]\n");
  EXPECT_EQ(testing::RunExporter(kBinary, {"--config", path, "--listen", "nope"}, &out), 1);
  EXPECT_EQ(out, "pulse-exporter: --listen: must be HOST:PORT, got \"nope\"\n");
  std::remove(path.c_str());
}

TEST(ExporterProcess, FaultsNeverSlowMetrics) {
  // A peer that completes TCP handshakes (the kernel does, from the listen backlog) and never
  // answers — the fault a real server cannot be made to produce on demand — and a port where
  // nothing listens.
  const pulse::testing::LoopbackListener stalled;
  const pulse::testing::LoopbackListener nobody(pulse::testing::LoopbackListener::Mode::kRefuse);
  const int dead_port = nobody.port();
  // A secret the exporter must use but never print: a distinctive value, so finding it in the
  // log or on /metrics can only mean a leak (the fixture's password "guest" is also a user name).
  const std::string secret = "pulse-secret-" + std::to_string(getpid()) + "-never-logged";
  // A PostgreSQL of our own that we can kill mid-run.
  const std::string statedir = "/tmp/pulse-exporter-killable-" + std::to_string(getpid());
  const std::string launcher = testenv::SourceDir() + "/scripts/testenv/testenv.sh";
  // Stops the server and removes its directory even when an assertion ends the test early.
  struct StopOnExit {
    std::string command;
    ~StopOnExit() { testenv::Shell(command); }
  } stop_on_exit{launcher + " stop postgres " + statedir + " >/dev/null 2>&1; rm -rf " + statedir};
  std::string out;
  ASSERT_EQ(testenv::Shell(launcher + " start postgres " + statedir, &out), 0) << out;
  std::string killable_port;
  {
    std::ifstream env(statedir + "/postgres/env");
    std::string line;
    while (std::getline(env, line)) {
      if (line.rfind("PORT=", 0) == 0) killable_port = line.substr(5);
    }
  }
  const std::string config = R"(
defaults: {interval: 1s, timeout: 2s}
targets:
  - name: rabbit
    type: rabbitmq
    rabbitmq: {url: ")" + testenv::Get("rabbitmq", "MGMT_URL") +
                             R"(", username: guest, password: {env: RABBIT_PASSWORD}}
  - name: db
    type: postgresql
    postgresql: {host: 127.0.0.1, port: )" +
                             testenv::Get("postgres", "PORT") +
                             R"(, user: postgres}
  - name: killable
    type: postgresql
    postgresql: {host: 127.0.0.1, port: )" +
                             killable_port +
                             R"(, user: postgres, statement_timeout: 1s}
  - name: down-at-start
    type: postgresql
    postgresql: {host: 127.0.0.1, port: )" +
                             std::to_string(dead_port) +
                             R"(, user: postgres}
  - name: stalled-http
    type: rabbitmq
    rabbitmq: {url: "http://127.0.0.1:)" +
                             std::to_string(stalled.port()) +
                             R"(", username: guest, password: {env: RABBIT_PASSWORD}}
  - name: wrong-password
    type: rabbitmq
    rabbitmq: {url: ")" + testenv::Get("rabbitmq", "MGMT_URL") +
                             R"(", username: guest, password: {env: WRONG_PASSWORD}}
  - name: stalled-pg
    type: postgresql
    postgresql: {host: 127.0.0.1, port: )" +
                             std::to_string(stalled.port()) +
                             R"(, user: postgres}
)";
  ExporterProcess exporter(
      kBinary, config,
      {"RABBIT_PASSWORD=" + testenv::Get("rabbitmq", "PASSWORD"), "WRONG_PASSWORD=" + secret});
  ASSERT_TRUE(exporter.WaitHealthy(std::chrono::seconds(20))) << exporter.Log();
  auto up = [&](const std::string& text, const std::string& target) {
    return Value(text, "pulse_exporter_target_up", {{"target", target}}).value_or(-1);
  };
  std::string text;
  ASSERT_TRUE(testing::Eventually(
      [&] {
        text = exporter.Metrics();
        return up(text, "rabbit") == 1 && up(text, "db") == 1 && up(text, "killable") == 1 &&
               Value(text, "pulse_exporter_refresh_errors_total",
                     {{"target", "stalled-http"}, {"reason", "timeout"}})
                       .value_or(0) >= 1 &&
               Value(text, "pulse_exporter_refresh_errors_total",
                     {{"target", "stalled-pg"}, {"reason", "timeout"}})
                       .value_or(0) >= 1 &&
               Value(text, "pulse_exporter_refresh_errors_total",
                     {{"target", "wrong-password"}, {"reason", "auth"}})
                       .value_or(0) >= 1;
      },
      std::chrono::seconds(30)))
      << text << exporter.Log();
  EXPECT_EQ(up(text, "down-at-start"), 0);
  EXPECT_GE(Value(text, "pulse_exporter_refresh_errors_total",
                  {{"target", "down-at-start"}, {"reason", "connect"}})
                .value_or(0),
            1);
  EXPECT_FALSE(Value(text, "pulse_exporter_data_age_seconds", {{"target", "down-at-start"}}))
      << "no data was ever served for it";
  EXPECT_EQ(up(text, "stalled-http"), 0);
  EXPECT_EQ(up(text, "stalled-pg"), 0);
  const auto killable_size = Value(text, "pulse_postgresql_database_size_bytes",
                                   {{"target", "killable"}, {"database", "postgres"}});
  ASSERT_TRUE(killable_size);

  // Kill the server mid-run: its last values stay, marked down, their age growing.
  ASSERT_EQ(testenv::Shell(launcher + " stop postgres " + statedir, &out), 0) << out;
  ASSERT_TRUE(testing::Eventually([&] { return up(exporter.Metrics(), "killable") == 0; },
                                  std::chrono::seconds(15)));
  // Wait for the data to be at least 2 s old rather than sleeping 2 s and hoping.
  ASSERT_TRUE(testing::Eventually(
      [&] {
        text = exporter.Metrics();
        return Value(text, "pulse_exporter_data_age_seconds", {{"target", "killable"}})
                   .value_or(0) >= 2;
      },
      std::chrono::seconds(30)))
      << text;
  EXPECT_EQ(Value(text, "pulse_postgresql_database_size_bytes",
                  {{"target", "killable"}, {"database", "postgres"}}),
            killable_size)
      << "the last good values are still served";
  EXPECT_GE(Value(text, "pulse_exporter_data_age_seconds", {{"target", "killable"}}).value_or(0),
            2);
  EXPECT_EQ(up(text, "db"), 1);

  // Scrapes stay fast while two targets hang in refreshes: they never wait for a target.
  double worst = 0;
  for (int i = 0; i < 30; ++i) {
    double seconds = 0;
    const std::string body = exporter.Metrics(&seconds);
    ASSERT_FALSE(body.empty());
    worst = std::max(worst, seconds);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LT(worst, 0.5) << "a scrape waited for a target";

  // The secret's value never appears in the output or the log — not even in the auth failures
  // the wrong-password target logged on every refresh.
  EXPECT_EQ(exporter.Metrics().find(secret), std::string::npos);
  const std::string log = exporter.Log();
  EXPECT_NE(log.find("wrong-password"), std::string::npos) << "its failures were logged:\n" << log;
  EXPECT_EQ(log.find(secret), std::string::npos) << log;
}

}  // namespace
}  // namespace pulse::exporter
