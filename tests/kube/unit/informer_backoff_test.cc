// The informer's relist backoff runs on its injected Clock: against an API server that is down,
// each list attempt happens exactly one backoff delay (on the fake clock) after the previous
// one, and the test takes no real time for it.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "pulse/base/clock.h"
#include "pulse/http/client.h"
#include "pulse/kube/informer.h"
#include "pulse/kube/rest_client.h"

namespace pulse::kube {
namespace {

using namespace std::chrono_literals;

// An HTTP client for an API server that refuses every connection; records when (on the fake
// clock) each request was made.
class DownServer : public http::Client {
 public:
  explicit DownServer(const base::Clock& clock) : clock_(clock) {}
  base::StatusOr<http::Response> Send(const http::Request&, http::CancelToken*) override {
    return Refuse();
  }
  base::StatusOr<http::Response> Stream(const http::Request&, const http::LineHandler&,
                                        http::CancelToken*, std::size_t) override {
    return Refuse();
  }
  std::vector<std::chrono::steady_clock::duration> attempts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_;
  }

 private:
  base::Status Refuse() {
    std::lock_guard<std::mutex> lock(mu_);
    attempts_.push_back(clock_.Now().time_since_epoch());
    return base::Status(base::StatusCode::kUnavailable, "connection refused");
  }
  const base::Clock& clock_;
  mutable std::mutex mu_;
  std::vector<std::chrono::steady_clock::duration> attempts_;
};

TEST(InformerBackoff, RelistWaitsEachBackoffDelayOnTheInjectedClock) {
  base::FakeClock clock;
  auto server = std::make_shared<DownServer>(clock);
  ClientOptions co;
  co.retry.max_attempts = 1;  // the informer's own backoff is under test, not the client's
  Client client(server, "http://127.0.0.1:1", "ns", co);
  InformerOptions options;
  options.backoff = BackoffOptions{1000ms, 4000ms, 2.0, 0.0};  // no jitter: exact delays
  Informer informer(client, ConfigMaps(), "ns", options, clock);
  informer.Start();
  // Wait for the state, not for the clock: five failed lists (a generous real deadline only
  // guards against a hang).
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (server->attempts().size() < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  informer.Stop();
  const auto attempts = server->attempts();
  ASSERT_GE(attempts.size(), 5u);
  // 1 s, 2 s, 4 s, then capped at 4 s between attempts.
  EXPECT_EQ(attempts[0], 0s);
  EXPECT_EQ(attempts[1], 1s);
  EXPECT_EQ(attempts[2], 3s);
  EXPECT_EQ(attempts[3], 7s);
  EXPECT_EQ(attempts[4], 11s);
  EXPECT_FALSE(informer.HasSynced());
  EXPECT_NE(informer.LastError(), "");
}

}  // namespace
}  // namespace pulse::kube
