// The client's retries, rate limit and shutdown against a local fault server: the real API
// server cannot be made to answer 500, 503 or 429 on demand. The waits run on a FakeClock
// (exact, instant) except where a test measures that a real wait really ends.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <future>
#include <map>

#include "fault_server.h"
#include "kube_test_env.h"
#include "pulse/base/clock.h"
#include "pulse/kube/rest_client.h"

namespace pulse::kube {
namespace {

using namespace std::chrono_literals;
using testing::FaultConnection;
using testing::FaultRequest;
using testing::FaultServer;
using testing::ReasonOf;

const char kOk[] = R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"}})";

std::shared_ptr<http::Client> Http() {
  http::ClientOptions o;
  o.timeout = 5s;
  return std::shared_ptr<http::Client>(http::MakeClient(o).value());
}

// Answers each request path (those containing `only`) with the listed statuses in turn ("500",
// "503", "429:30" = with Retry-After: 30, "drop" = close without answering), then with success.
class Script {
 public:
  explicit Script(std::vector<std::string> steps, std::string only = "")
      : steps_(std::move(steps)), only_(std::move(only)) {}
  void operator()(const FaultRequest& r, FaultConnection& c) {
    std::string step;
    if (r.path.find(only_) != std::string::npos) {
      std::lock_guard<std::mutex> lock(mu_);
      size_t& n = served_[r.method + " " + r.path];
      if (n < steps_.size()) step = steps_[n];
      ++n;
    }
    const std::string path = r.path.substr(0, r.path.find('?'));
    if (step.empty() && path.ends_with("/configmaps")) {
      return c.Respond(200, R"({"kind":"ConfigMapList","metadata":{},"items":[]})");
    }
    if (step.empty()) return c.Respond(r.method == "POST" ? 201 : 200, kOk);
    if (step == "drop") return;
    const int code = std::stoi(step.substr(0, 3));
    const std::string retry_after =
        step.size() > 4 ? "Retry-After: " + step.substr(4) + "\r\n" : std::string();
    c.Respond(code,
              R"({"kind":"Status","code":)" + std::to_string(code) + R"(,"message":"step )" + step +
                  R"("})",
              retry_after);
  }

 private:
  std::vector<std::string> steps_;
  std::string only_;
  std::mutex mu_;
  std::map<std::string, size_t> served_;
};

// A client with exact (jitter-free) backoff on `clock`: 250 ms, 500 ms, 1 s, 2 s, ...
ClientOptions Exact(base::FakeClock& clock) {
  ClientOptions o;
  o.clock = &clock;
  o.retry.backoff.jitter = 0;
  return o;
}

std::chrono::milliseconds Elapsed(const base::FakeClock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch());
}

double Metric(prometheus::Registry& registry, const std::string& name,
              const std::map<std::string, std::string>& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      std::map<std::string, std::string> got;
      for (const auto& l : m.label) got[l.name] = l.value;
      if (got != labels) continue;
      if (family.type == prometheus::MetricType::Histogram) {
        return static_cast<double>(m.histogram.sample_count);
      }
      return m.counter.value;
    }
  }
  return -1;
}

Json Cm() { return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "x"}}}}; }

TEST(Retries, ServerErrorsAndDropsAreRetriedForEveryVerbThatMaySafelyRepeat) {
  Script script({"500", "503", "drop", "504"});
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) { script(r, c); });
  base::FakeClock clock;
  auto registry = std::make_shared<prometheus::Registry>();
  ClientOptions o = Exact(clock);
  o.registry = registry;
  Client client(Http(), server.url(), "ns", o);
  EXPECT_NO_THROW(client.Get(ConfigMaps(), "ns", "x"));
  EXPECT_EQ(server.requests(), 5);
  EXPECT_EQ(Elapsed(clock), 250ms + 500ms + 1s + 2s) << "exponential backoff between attempts";
  EXPECT_EQ(Metric(*registry, "pulse_kube_client_retries_total", {{"verb", "get"}}), 4);
  EXPECT_EQ(Metric(*registry, "pulse_kube_client_retries_total", {{"verb", "create"}}), 0)
      << "present at zero from the start";
  EXPECT_EQ(
      Metric(*registry, "pulse_kube_client_requests_total", {{"verb", "get"}, {"code", "500"}}), 1);

  EXPECT_NO_THROW(client.List(ConfigMaps(), "ns"));
  EXPECT_NO_THROW(client.Update(ConfigMaps(), "ns", Cm()));
  EXPECT_NO_THROW(client.Apply(ConfigMaps(), "ns", "y", Cm()));
  EXPECT_NO_THROW(
      client.MergePatch(ConfigMaps(), "ns", "z", Json{{"data", {{"a", "b"}}}}, "status"));
  EXPECT_NO_THROW(client.Delete(ConfigMaps(), "ns", "w"));
  EXPECT_EQ(server.requests(), 6 * 5) << "each recovered after 4 failures";
}

TEST(Retries, CreateIsRetriedOnlyWhenThrottled) {
  // A POST that met a 500 or a dropped connection may have created the object: not repeated.
  for (const std::string failure : {"500", "503", "drop"}) {
    SCOPED_TRACE(failure);
    Script script({failure});
    FaultServer server([&](const FaultRequest& r, FaultConnection& c) { script(r, c); });
    base::FakeClock clock;
    Client client(Http(), server.url(), "ns", Exact(clock));
    const Reason reason = ReasonOf([&] { client.Create(ConfigMaps(), "ns", Cm()); });
    EXPECT_EQ(reason, failure == "500"   ? Reason::kServerError
                      : failure == "503" ? Reason::kServiceUnavailable
                                         : Reason::kTransport);
    EXPECT_EQ(server.requests(), 1);
    EXPECT_EQ(Elapsed(clock), 0ms);
  }
  // A 429 was refused before any processing: safe to send again, after its Retry-After.
  Script script({"429:2", "429:3"});
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) { script(r, c); });
  base::FakeClock clock;
  Client client(Http(), server.url(), "ns", Exact(clock));
  EXPECT_NO_THROW(client.Create(ConfigMaps(), "ns", Cm()));
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(Elapsed(clock), 5s) << "Retry-After 2 s, then 3 s";
}

TEST(Retries, NonRetriableErrorsAreThrownAtOnce) {
  for (const std::string code : {"400", "403", "404", "409", "422"}) {
    SCOPED_TRACE(code);
    Script script({code});
    FaultServer server([&](const FaultRequest& r, FaultConnection& c) { script(r, c); });
    base::FakeClock clock;
    Client client(Http(), server.url(), "ns", Exact(clock));
    EXPECT_THROW(client.Get(ConfigMaps(), "ns", "x"), ApiError);
    EXPECT_EQ(server.requests(), 1);
  }
}

TEST(Retries, AttemptBudgetEndsWithTheLastError) {
  Script script({"500", "500", "503", "503", "503"});
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) { script(r, c); });
  base::FakeClock clock;
  ClientOptions o = Exact(clock);
  o.retry.max_attempts = 3;
  Client client(Http(), server.url(), "ns", o);
  try {
    client.Get(ConfigMaps(), "ns", "x");
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.reason(), Reason::kServiceUnavailable) << e.what();
    EXPECT_EQ(e.code(), 503);
    EXPECT_NE(std::string(e.what()).find("step 503"), std::string::npos) << e.what();
    EXPECT_TRUE(e.Retriable()) << "the caller's work queue may try again later";
  }
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(Elapsed(clock), 750ms);
}

TEST(Retries, ElapsedBudgetIsNotOverrunByAWait) {
  Script script({"500", "500", "500", "500"});
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) { script(r, c); });
  base::FakeClock clock;
  ClientOptions o = Exact(clock);
  o.retry.max_elapsed = 1s;
  o.retry.backoff.initial = 400ms;  // waits 400 ms, then 800 ms would end at 1.2 s: not begun
  Client client(Http(), server.url(), "ns", o);
  try {
    client.Get(ConfigMaps(), "ns", "x");
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.reason(), Reason::kServerError);
    EXPECT_NE(std::string(e.what()).find("gave up after 2 attempts"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("retry budget of 1000 ms"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(Elapsed(clock), 400ms);

  // A Retry-After beyond the budget is not waited for at all.
  Script throttled({"429:30"});
  FaultServer server2([&](const FaultRequest& r, FaultConnection& c) { throttled(r, c); });
  Client client2(Http(), server2.url(), "ns", o);
  EXPECT_EQ(ReasonOf([&] { client2.Get(ConfigMaps(), "ns", "x"); }), Reason::kTooManyRequests);
  EXPECT_EQ(server2.requests(), 1);
  EXPECT_EQ(Elapsed(clock), 400ms);
}

// Runs `fn` on another thread; returns the reason of the ApiError it threw and how long after
// `trigger` ran it came back.
std::pair<Reason, std::chrono::nanoseconds> ThrowAfter(const std::function<void()>& fn,
                                                       const std::function<bool()>& waiting,
                                                       const std::function<void()>& trigger) {
  auto done = std::async(std::launch::async, [&] { return ReasonOf(fn); });
  EXPECT_TRUE(pulse::testing::Eventually(waiting));
  std::this_thread::sleep_for(200ms);  // well into the wait
  EXPECT_EQ(done.wait_for(0s), std::future_status::timeout) << "it waits";
  const auto t0 = std::chrono::steady_clock::now();
  trigger();
  const Reason reason = done.get();
  return {reason, std::chrono::steady_clock::now() - t0};
}

TEST(Shutdown, EndsARetryAfterWaitAtOnce) {
  Script script({"429:30", "500"}, "/x");
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) { script(r, c); });
  auto registry = std::make_shared<prometheus::Registry>();
  ClientOptions o;
  o.registry = registry;
  Client client(Http(), server.url(), "ns", o);  // the real clock: a real 30 s wait
  const auto [reason, took] =
      ThrowAfter([&] { client.Get(ConfigMaps(), "ns", "x"); },
                 [&] { return server.requests() == 1; }, [&] { client.Shutdown(); });
  EXPECT_EQ(reason, Reason::kCancelled);
  EXPECT_LT(took, 1s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                      << " ms after Shutdown()";
  std::printf("Shutdown() ended a 30 s Retry-After wait after %.1f ms\n",
              std::chrono::duration<double, std::milli>(took).count());
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(Metric(*registry, "pulse_kube_client_errors_total", {{"reason", "Cancelled"}}), 1);
  EXPECT_TRUE(client.shut_down());

  // Afterwards a request is still sent, once, and not retried.
  EXPECT_NO_THROW(client.Get(ConfigMaps(), "ns", "fine"));
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), "ns", "x"); }), Reason::kCancelled)
      << "the 500 is not retried after shutdown";
  EXPECT_EQ(server.requests(), 3);
}

TEST(Shutdown, ASharedTokenStopsEveryClientAndTheirDerivedOnes) {
  Script script({"503:30", "503:30"});
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) { script(r, c); });
  ClientOptions o;
  o.shutdown = std::make_shared<http::CancelToken>();
  Client a(Http(), server.url(), "ns", o);
  Client b(Http(), server.url(), "ns", o);
  RetryOptions patient;
  patient.max_elapsed = 10min;
  const auto derived = b.WithRetry(patient);
  std::future<Reason> first = std::async(
      std::launch::async, [&] { return ReasonOf([&] { a.Get(ConfigMaps(), "ns", "a"); }); });
  std::future<Reason> second = std::async(
      std::launch::async, [&] { return ReasonOf([&] { derived->Get(ConfigMaps(), "ns", "b"); }); });
  ASSERT_TRUE(pulse::testing::Eventually([&] { return server.requests() == 2; }));
  std::this_thread::sleep_for(200ms);
  const auto t0 = std::chrono::steady_clock::now();
  o.shutdown->Cancel();
  EXPECT_EQ(first.get(), Reason::kCancelled);
  EXPECT_EQ(second.get(), Reason::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_TRUE(b.shut_down());
}

TEST(RateLimit, RequestsBeyondTheBurstAreSpacedAndWatchesAreNot) {
  Script script({});
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) {
    if (r.IsWatch()) {
      c.StartStream();
      return c.End();
    }
    script(r, c);
  });
  base::FakeClock clock;
  auto registry = std::make_shared<prometheus::Registry>();
  ClientOptions o = Exact(clock);
  o.registry = registry;
  o.qps = 10;
  o.burst = 2;
  Client client(Http(), server.url(), "ns", o);
  for (int i = 0; i < 5; ++i) client.Get(ConfigMaps(), "ns", "x");
  EXPECT_EQ(Elapsed(clock), 300ms) << "2 at once, then one per 100 ms";
  for (int i = 0; i < 5; ++i) {
    client.Watch(ConfigMaps(), "ns", {}, [](WatchEvent&&) { return true; });
  }
  EXPECT_EQ(Elapsed(clock), 300ms) << "a watch is long-lived; it takes no token";
  EXPECT_EQ(server.requests(), 10);
  EXPECT_EQ(Metric(*registry, "pulse_kube_client_rate_limiter_wait_seconds", {}), 5)
      << "every limited request observed, the ones that did not wait too";
}

TEST(RateLimit, ShutdownEndsTheWaitAtOnce) {
  Script script({});
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) { script(r, c); });
  ClientOptions o;
  o.qps = 0.01;  // after the burst, one request per 100 s
  o.burst = 1;
  Client client(Http(), server.url(), "ns", o);
  client.Get(ConfigMaps(), "ns", "x");
  const auto [reason, took] = ThrowAfter([&] { client.Get(ConfigMaps(), "ns", "x"); },
                                         [] { return true; }, [&] { client.Shutdown(); });
  EXPECT_EQ(reason, Reason::kCancelled);
  EXPECT_LT(took, 1s);
  EXPECT_EQ(server.requests(), 1) << "the waiting request was never sent";
  EXPECT_NO_THROW(client.Get(ConfigMaps(), "ns", "x")) << "after shutdown nothing waits";
}

TEST(RateLimit, ZeroQpsIsUnlimited) {
  Script script({});
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) { script(r, c); });
  base::FakeClock clock;
  ClientOptions o = Exact(clock);
  o.qps = 0;
  o.burst = 1;
  Client client(Http(), server.url(), "ns", o);
  for (int i = 0; i < 20; ++i) client.Get(ConfigMaps(), "ns", "x");
  EXPECT_EQ(Elapsed(clock), 0ms);
}

}  // namespace
}  // namespace pulse::kube
