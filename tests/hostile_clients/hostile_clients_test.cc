// The real binaries under the attack of issue 15: 500 idle half-open connections (a request head
// that never ends) plus 50 connections trickling one byte per second, kept up for longer than
// two request deadlines (closed connections are re-opened, as an attacker would), while a
// scraper fetches /metrics on fresh connections and times every scrape. Afterwards the process
// must be back to its baseline of file descriptors and threads.
//
// Binaries: pulse-exporter (one PostgreSQL target that is down: /metrics is served from its
// cache all the same) and the demo CRM service (its --metrics-listen port, pulse::serve).
#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pulse/testing/child_process.h"
#include "pulse/testing/eventually.h"
#include "pulse/testing/loopback_listener.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kIdle = 500;
constexpr int kTricklers = 50;
// The bound for every single scrape during the attack, checked in the release build.
// Under AddressSanitizer the servers run several times slower and one descheduling on a busy
// 2-core machine has cost 124 ms (p99 7.8 ms), so the sanitizer build checks a looser bound.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kScrapeBoundMs = 300;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kScrapeBoundMs = 300;
#else
constexpr double kScrapeBoundMs = 100;
#endif
#else
constexpr double kScrapeBoundMs = 100;
#endif
// Two request deadlines (5 s each) and then some: every attacker is cut and comes back.
constexpr auto kAttack = 12s;
const std::string kHalfOpen = "GET /metrics HTTP/1.1\r\nHost: x\r\n";

int CountEntries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n;
}
int Fds(pid_t pid) { return CountEntries("/proc/" + std::to_string(pid) + "/fd"); }
int Threads(pid_t pid) { return CountEntries("/proc/" + std::to_string(pid) + "/task"); }

int Connect(int port) { return pulse::testing::ConnectLoopback(port); }

// One GET on a fresh connection, read to the end; the status, or 0 on any failure.
int Scrape(int port, std::string* body) {
  const int fd = Connect(port);
  if (fd < 0) return 0;
  const std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string raw;
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
    char buf[65536];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      raw.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  if (raw.rfind("HTTP/1.1 ", 0) != 0) return 0;
  const auto split = raw.find("\r\n\r\n");
  if (body != nullptr && split != std::string::npos) *body = raw.substr(split + 4);
  return std::atoi(raw.c_str() + 9);
}

void RaiseFdLimit() {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
}

struct AttackResult {
  std::vector<double> scrape_ms;  // every scrape, in order
  int failed = 0;                 // scrapes without a 200
  int reopened = 0;               // attacker connections the server cut and we re-opened
  int peak_fds = 0;               // the server's fds at the height of the attack
};

// Runs the attack against `port` for `duration` while scraping it; `pid` is the server's.
AttackResult Attack(int port, pid_t pid, std::chrono::seconds duration) {
  AttackResult result;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done) {
      const auto start = Clock::now();
      std::string body;
      const int status = Scrape(port, &body);
      result.scrape_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      if (status != 200 || body.empty()) ++result.failed;
      std::this_thread::sleep_for(50ms);
    }
  });

  struct Attacker {
    int fd = -1;
    std::size_t sent = 0;  // tricklers: bytes of kHalfOpen sent so far
  };
  std::vector<Attacker> idle(kIdle);
  std::vector<Attacker> tricklers(kTricklers);
  auto open = [&](Attacker& a, bool whole) {
    a.fd = Connect(port);
    a.sent = 0;
    if (a.fd >= 0 && whole) {
      (void)!::send(a.fd, kHalfOpen.data(), kHalfOpen.size(), MSG_NOSIGNAL);
      a.sent = kHalfOpen.size();
    }
  };
  for (auto& a : idle) open(a, true);
  for (auto& a : tricklers) open(a, false);

  // Re-opens what the server has cut (EOF, reset, or a 408 to read).
  auto reap = [&](std::vector<Attacker>& group, bool whole) {
    std::vector<pollfd> fds;
    for (const auto& a : group) fds.push_back({a.fd, POLLIN, 0});
    ::poll(fds.data(), fds.size(), 0);
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (group[i].fd >= 0 && fds[i].revents == 0) continue;
      if (group[i].fd >= 0) ::close(group[i].fd);
      ++result.reopened;
      open(group[i], whole);
    }
  };

  const auto end = Clock::now() + duration;
  auto next_byte = Clock::now();
  while (Clock::now() < end) {
    if (Clock::now() >= next_byte) {
      next_byte += 1s;
      for (auto& a : tricklers) {
        if (a.fd < 0) continue;
        const char c = kHalfOpen[a.sent % kHalfOpen.size()];
        (void)!::send(a.fd, &c, 1, MSG_NOSIGNAL);
        ++a.sent;
      }
      result.peak_fds = std::max(result.peak_fds, Fds(pid));
    }
    reap(idle, true);
    reap(tricklers, false);
    std::this_thread::sleep_for(20ms);
  }
  done = true;
  scraper.join();
  for (auto& a : idle) ::close(a.fd);
  for (auto& a : tricklers) ::close(a.fd);
  return result;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// The attack, the scrape bound, and the return to baseline, for one running server.
void ExpectSurvivesAttack(const std::string& name, int port, pid_t pid) {
  ASSERT_TRUE(pulse::testing::Eventually([&] { return Scrape(port, nullptr) == 200; }, 30s))
      << name << " never served /metrics";
  // Baseline once it has settled: a scrape or two, then the counts of a quiet process.
  const int base_fds = Fds(pid);
  const int base_threads = Threads(pid);
  ASSERT_GT(base_fds, 0);

  const AttackResult r =
      Attack(port, pid, std::chrono::duration_cast<std::chrono::seconds>(kAttack));
  const double worst = *std::max_element(r.scrape_ms.begin(), r.scrape_ms.end());
  std::printf(
      "%s: %zu scrapes under attack, p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d attacker "
      "connections cut and re-opened; server fds %d -> peak %d\n",
      name.c_str(), r.scrape_ms.size(), Percentile(r.scrape_ms, 0.5), Percentile(r.scrape_ms, 0.99),
      worst, r.reopened, base_fds, r.peak_fds);
  EXPECT_GT(r.peak_fds, base_fds + kIdle) << "the attack did not land: connections not held";
  EXPECT_GT(r.reopened, kIdle) << "idle connections were never cut by the request deadline";
  EXPECT_GT(r.scrape_ms.size(), 50u);
  EXPECT_EQ(r.failed, 0) << "scrapes without a 200";
  for (std::size_t i = 0; i < r.scrape_ms.size(); ++i) {
    EXPECT_LT(r.scrape_ms[i], kScrapeBoundMs) << "scrape " << i << " of " << r.scrape_ms.size();
  }

  // Back to baseline: every connection closed, no thread left behind.
  int fds = 0;
  int threads = 0;
  EXPECT_TRUE(pulse::testing::Eventually(
      [&] {
        fds = Fds(pid);
        threads = Threads(pid);
        return fds <= base_fds && threads <= base_threads;
      },
      15s))
      << name << ": fds " << fds << " (baseline " << base_fds << "), threads " << threads
      << " (baseline " << base_threads << ")";
  EXPECT_EQ(Scrape(port, nullptr), 200);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class HostileClients : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { RaiseFdLimit(); }
  std::string Dir() {
    char tmpl[] = "/tmp/pulse-hostile-XXXXXX";
    return ::mkdtemp(tmpl);
  }
};

TEST_F(HostileClients, ExporterKeepsServingMetrics) {
  const std::string dir = Dir();
  // Nothing listens on the target's port: the exporter serves its page (target down) anyway.
  const pulse::testing::LoopbackListener down(pulse::testing::LoopbackListener::Mode::kRefuse);
  std::ofstream(dir + "/config.yaml")
      << "targets:\n  - name: pg\n    type: postgresql\n    postgresql: {host: 127.0.0.1, port: "
      << down.port() << ", user: postgres}\n";
  // The exporter wants a port >= 1: take a free one and release it just before it binds.
  int port = 0;
  {
    const pulse::testing::LoopbackListener pick(pulse::testing::LoopbackListener::Mode::kRefuse);
    port = pick.port();
  }
  pulse::testing::ChildOptions options;
  options.args = {"--config", dir + "/config.yaml", "--listen",
                  "127.0.0.1:" + std::to_string(port)};
  options.output_path = dir + "/log";
  pulse::testing::ChildProcess exporter(PULSE_EXPORTER_BIN, options);
  ExpectSurvivesAttack("pulse-exporter", port, exporter.pid());
  EXPECT_EQ(exporter.Stop(), 0) << exporter.Output();
}

TEST_F(HostileClients, DemoServiceKeepsServingMetrics) {
  const std::string dir = Dir();
  const pulse::testing::LoopbackListener no_redis(pulse::testing::LoopbackListener::Mode::kRefuse);
  pulse::testing::ChildOptions options;
  options.args = {"--listen",
                  "127.0.0.1:0",
                  "--port-file",
                  dir + "/port",
                  "--metrics-listen",
                  "127.0.0.1:0",
                  "--metrics-port-file",
                  dir + "/metrics.port",
                  "--redis",
                  "127.0.0.1:" + std::to_string(no_redis.port())};
  options.output_path = dir + "/log";
  pulse::testing::ChildProcess crm(PULSE_DEMO_CRM_BIN, options);
  int port = 0;
  ASSERT_TRUE(pulse::testing::Eventually(
      [&] {
        port = std::atoi(ReadFile(dir + "/metrics.port").c_str());
        return port > 0 || !crm.Running();
      },
      30s));
  ASSERT_GT(port, 0) << crm.Output();
  ExpectSurvivesAttack("pulse-demo-crm", port, crm.pid());
  EXPECT_EQ(crm.Stop(), 0) << crm.Output();
}

}  // namespace
