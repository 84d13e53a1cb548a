// The metrics/health server on a free loopback port, talked to over a real socket.
#include "pulse/serve/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pulse/testing/loopback_listener.h"

namespace pulse::serve {
namespace {

struct Response {
  int status = 0;
  std::string headers;
  std::string body;
};

// One HTTP/1.0 request on a fresh connection; the server closes it after the response.
Response Request(int port, const std::string& method, const std::string& path) {
  const int fd = pulse::testing::ConnectLoopback(port);
  if (fd < 0) throw std::runtime_error("connect");
  const std::string request = method + " " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  if (::send(fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    throw std::runtime_error("send");
  }
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) raw.append(buf, static_cast<size_t>(n));
  ::close(fd);
  Response r;
  const auto split = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || split == std::string::npos) {
    throw std::runtime_error("not an HTTP response: " + raw);
  }
  r.status = std::stoi(raw.substr(9, 3));
  r.headers = raw.substr(0, split);
  r.body = raw.substr(split + 4);
  return r;
}

int PortOf(const MetricsServer& server) {
  const auto ports = server.ports();
  if (ports.size() != 1 || ports[0] <= 0) throw std::runtime_error("no bound port");
  return ports[0];
}

// One server shared by the tests that need only the defaults (each test may still start its
// own: stopping one is instant).
class SharedServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new MetricsServer({}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static MetricsServer* server_;
};
MetricsServer* SharedServer::server_ = nullptr;

TEST_F(SharedServer, HealthzIsAlwaysOkAndReadyzFollowsReadiness) {
  MetricsServer& server = *server_;
  const int port = PortOf(server);
  const Response health = Request(port, "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");

  const Response before = Request(port, "GET", "/readyz");
  EXPECT_EQ(before.status, 503);
  EXPECT_EQ(before.body, "not ready\n");
  server.SetReady(true);
  const Response after = Request(port, "GET", "/readyz");
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body, "ok\n");
  server.SetReady(false);
  EXPECT_EQ(Request(port, "GET", "/readyz").status, 503);
}

TEST(MetricsServer, ReadinessCheckAndRequestTimeoutOptions) {
  std::atomic<bool> cache_warm{false};
  MetricsServerOptions options;
  options.readiness_check = [&] { return cache_warm.load(); };
  options.request_timeout = std::chrono::milliseconds(200);
  MetricsServer server(options);
  server.SetReady(true);
  EXPECT_EQ(Request(PortOf(server), "GET", "/readyz").status, 503);
  cache_warm = true;
  EXPECT_EQ(Request(PortOf(server), "GET", "/readyz").status, 200);

  // A client that connects and never sends a request is dropped by the server (recv sees the
  // close) rather than holding a worker until our own 5 s receive timeout gives up (the 10 s
  // default would).
  const int fd = pulse::testing::ConnectLoopback(PortOf(server));
  ASSERT_GE(fd, 0);
  timeval give_up{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &give_up, sizeof give_up);
  char buf[256];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  const int err = errno;
  ::close(fd);
  EXPECT_GE(n, 0) << "still open when our receive timeout fired: " << std::strerror(err);
}

TEST_F(SharedServer, UnknownPathsAre404) {
  const int port = PortOf(*server_);
  EXPECT_EQ(Request(port, "GET", "/").status, 404);
  EXPECT_EQ(Request(port, "GET", "/metricsx").status, 404);
  EXPECT_EQ(Request(port, "GET", "/metrics/x").status, 404);
  EXPECT_EQ(Request(port, "GET", "/etc/passwd").status, 404);
}

TEST_F(SharedServer, ServesRegisteredCountersAndProcessMetrics) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto& family = prometheus::BuildCounter()
                     .Name("pulse_test_requests_total")
                     .Help("Requests.")
                     .Register(*registry);
  family.Add({{"route", "/a"}}).Increment(3);
  MetricsServer& server = *server_;
  server.Register(registry);
  const Response r = Request(PortOf(server), "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.headers.find("Content-Type: text/plain; version=0.0.4; charset=utf-8"),
            std::string::npos)
      << r.headers;
  EXPECT_NE(r.body.find("# TYPE pulse_test_requests_total counter\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("pulse_test_requests_total{route=\"/a\"} 3\n"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("process_resident_memory_bytes "), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("process_cpu_seconds_total "), std::string::npos) << r.body;

  registry.reset();  // held weakly: a destroyed registry simply disappears
  const Response gone = Request(PortOf(server), "GET", "/metrics");
  EXPECT_EQ(gone.body.find("pulse_test_requests_total"), std::string::npos);
}

TEST(MetricsServer, ServesAPreRenderedPageVerbatim) {
  // What the exporter serves: its cached page, byte for byte, with nothing added.
  std::string page =
      "# HELP pulse_exporter_up Whether the target answered.\n"
      "# TYPE pulse_exporter_up gauge\n"
      "pulse_exporter_up{target=\"q \\\"1\\\"\",type=\"rabbitmq\"} 1\n"
      "pulse_exporter_bytes{bucket=\"b\\\\\\n\"} 1.5e+12\n";
  std::atomic<int> renders{0};
  MetricsServerOptions options;
  options.process_metrics = false;
  options.page = [&] {
    ++renders;
    return page;
  };
  MetricsServer server(options);
  const Response r = Request(PortOf(server), "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, page);
  EXPECT_NE(r.headers.find("Content-Length: " + std::to_string(page.size())), std::string::npos);
  EXPECT_EQ(renders.load(), 1);

  const Response head = Request(PortOf(server), "HEAD", "/metrics");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
}

TEST_F(SharedServer, OnlyGetAndHead) {
  MetricsServer& server = *server_;
  const Response post = Request(PortOf(server), "POST", "/metrics");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.body, "use GET\n");
  EXPECT_EQ(Request(PortOf(server), "DELETE", "/healthz").status, 405);
}

TEST_F(SharedServer, RefusesAPortInUse) {
  MetricsServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(PortOf(*server_));
  try {
    MetricsServer second(options);
    FAIL() << "bound a port that is in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(options.listen), std::string::npos) << e.what();
  }
}

TEST_F(SharedServer, ManyScrapesAtOnce) {
  const int port = PortOf(*server_);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      for (int j = 0; j < 10; ++j) ok += Request(port, "GET", "/healthz").status == 200;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 80);
}

}  // namespace
}  // namespace pulse::serve
