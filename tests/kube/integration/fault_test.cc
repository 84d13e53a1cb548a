// Hostile and broken server responses, from a local fault server (the real API server is
// tested in the other integration tests): no crash, no busy loop, clear typed errors.
#include <gtest/gtest.h>

#include "fault_server.h"
#include "kube_test_env.h"
#include "pulse/base/clock.h"
#include "pulse/kube/informer.h"
#include "pulse/kube/rest_client.h"
#include "pulse/testing/eventually.h"

namespace pulse::kube {
namespace {

using namespace std::chrono_literals;
using pulse::testing::Eventually;
using testing::FaultConnection;
using testing::FaultRequest;
using testing::FaultServer;
using testing::ReasonOf;

std::shared_ptr<http::Client> Http() {
  http::ClientOptions o;
  o.timeout = 5s;
  return std::shared_ptr<http::Client>(http::MakeClient(o).value());
}

std::string Cm(const std::string& name, const std::string& rv, const std::string& value = "") {
  return Json{{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", {{"name", name}, {"namespace", "ns"}, {"resourceVersion", rv}}},
              {"data", {{"v", value}}}}
      .dump();
}

std::string List(const std::vector<std::string>& items, const std::string& rv) {
  std::string s = R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":")" +
                  rv + R"("},"items":[)";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? "," : "") + items[i];
  return s + "]}";
}

std::string Event(const std::string& type, const std::string& object) {
  return R"({"type":")" + type + R"(","object":)" + object + "}\n";
}

int Count(const FaultServer& s, bool watch) {
  int n = 0;
  for (const auto& r : s.log()) n += r.IsWatch() == watch;
  return n;
}

// The informers below run on a FakeClock with jitter 0, so their backoff is exact and costs no
// real time: 200 ms, doubling, capped at 5 s.
InformerOptions ExactBackoff() {
  InformerOptions o;
  o.backoff.initial = 200ms;
  o.backoff.max = 5s;
  o.backoff.jitter = 0;
  return o;
}

std::chrono::milliseconds Schedule(long long delays) {
  std::chrono::milliseconds sum{0}, d = 200ms;
  for (long long i = 0; i < delays; ++i, d = std::min<std::chrono::milliseconds>(d * 2, 5s)) {
    sum += d;
  }
  return sum;
}

// Not a busy loop: every failed attempt is followed by exactly one backoff delay on the
// informer's clock, so after `failures` of them the clock has moved by the first `failures`
// delays of the schedule — or one fewer when Stop() came before the last sleep.
::testing::AssertionResult BackedOffAfterEach(const base::FakeClock& clock, long long failures) {
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch());
  if (failures >= 1 && (elapsed == Schedule(failures) || elapsed == Schedule(failures - 1))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "backoff slept " << elapsed.count() << " ms after " << failures
         << " failed attempts; expected " << Schedule(failures - 1).count() << " or "
         << Schedule(failures).count() << " ms";
}

TEST(Faults, TruncatedJsonBodyIsBadResponse) {
  FaultServer server([](const FaultRequest&, FaultConnection& c) {
    c.Respond(200, R"({"kind":"ConfigMap","metadata":{"na)");
  });
  Client client(Http(), server.url(), "ns");
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), "ns", "x"); }), Reason::kBadResponse);
  EXPECT_EQ(ReasonOf([&] { client.List(ConfigMaps(), "ns"); }), Reason::kBadResponse);
}

TEST(Faults, ConnectionClosedMidBodyIsTransport) {
  FaultServer server([](const FaultRequest&, FaultConnection& c) {
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n{\"kind\":");
  });
  base::FakeClock clock;  // the client's retries back off on it, instantly
  ClientOptions co;
  co.clock = &clock;
  Client client(Http(), server.url(), "ns", co);
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), "ns", "x"); }), Reason::kTransport);
  EXPECT_EQ(server.requests(), co.retry.max_attempts) << "a GET is retried, then given up";
}

TEST(Faults, NotHttpAtAllIsTransport) {
  FaultServer server(
      [](const FaultRequest&, FaultConnection& c) { c.Write("SSH-2.0-OpenSSH\r\n\r\n"); });
  base::FakeClock clock;
  ClientOptions co;
  co.clock = &clock;
  Client client(Http(), server.url(), "ns", co);
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), "ns", "x"); }), Reason::kTransport);
}

TEST(Faults, ListWithoutItemsOrWithBrokenItemsIsBadResponse) {
  FaultServer server([](const FaultRequest& r, FaultConnection& c) {
    if (r.path.find("limit=1") != std::string::npos) {
      c.Respond(200, R"({"kind":"List","items":"nope"})");
    } else {
      c.Respond(200, R"({"kind":"List","metadata":{}})");
    }
  });
  Client client(Http(), server.url(), "ns");
  EXPECT_EQ(ReasonOf([&] { client.List(ConfigMaps(), "ns"); }), Reason::kBadResponse);
  ListOptions lo;
  lo.limit = 1;
  EXPECT_EQ(ReasonOf([&] { client.List(ConfigMaps(), "ns", lo); }), Reason::kBadResponse);
}

TEST(Faults, ServerErrorStormIsNotRetriedInATightLoop) {
  FaultServer server([](const FaultRequest&, FaultConnection& c) {
    c.Respond(500, R"({"kind":"Status","code":500,"reason":"InternalError","message":"boom"})");
  });
  // The client's own retries (retry_test.cc) back off on its clock; here they end after 3.
  base::FakeClock client_clock;
  ClientOptions co;
  co.clock = &client_clock;
  co.retry.max_attempts = 3;
  co.retry.backoff.jitter = 0;
  Client client(Http(), server.url(), "ns", co);
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), "ns", "x"); }), Reason::kServerError);
  EXPECT_EQ(server.requests(), 3) << "a 500 is retried within the client's budget, no more";
  EXPECT_EQ(client_clock.Now().time_since_epoch(), 250ms + 500ms) << "with backoff between";

  // The informer's list loop over a client that does not retry: its own backoff paces it.
  RetryOptions once;
  once.max_attempts = 1;
  const auto single = client.WithRetry(once);
  base::FakeClock clock;
  Informer informer(*single, ConfigMaps(), "ns", ExactBackoff(), clock);
  informer.Start();
  ASSERT_TRUE(Eventually([&] { return server.requests() - 3 >= 8; }))
      << "the informer keeps trying";
  informer.Stop();
  const int lists = server.requests() - 3;
  EXPECT_TRUE(BackedOffAfterEach(clock, lists));
  EXPECT_FALSE(informer.HasSynced());
  EXPECT_NE(informer.LastError().find("boom"), std::string::npos) << informer.LastError();
}

TEST(Faults, TooManyRequestsHonoursRetryAfter) {
  FaultServer server([](const FaultRequest&, FaultConnection& c) {
    c.Respond(429, R"({"kind":"Status","code":429,"reason":"TooManyRequests","message":"slow"})",
              "Retry-After: 1\r\n");
  });
  ClientOptions co;
  co.retry.max_attempts = 3;
  Client client(Http(), server.url(), "ns", co);
  const auto t0 = std::chrono::steady_clock::now();
  try {
    client.Get(ConfigMaps(), "ns", "x");
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.reason(), Reason::kTooManyRequests);
    EXPECT_EQ(e.retry_after(), 1s);
    EXPECT_TRUE(e.Retriable());
  }
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(server.requests(), 3);
  EXPECT_GE(took, 2s) << "each retry waited Retry-After";
  EXPECT_LT(took, 5s);
}

TEST(Faults, HostileRetryAfterIsCappedAndZeroDoesNotSpin) {
  std::atomic<int> n{0};
  FaultServer server([&](const FaultRequest&, FaultConnection& c) {
    c.Respond(429, "{}", ++n % 2 ? "Retry-After: 999999\r\n" : "Retry-After: 0\r\n");
  });
  ClientOptions co;
  co.retry.max_attempts = 5;
  co.retry.max_retry_after = 1s;
  Client client(Http(), server.url(), "ns", co);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), "ns", "x"); }), Reason::kTooManyRequests);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(server.requests(), 5);
  EXPECT_GE(took, 2s + 200ms);  // 1 + 0.1 + 1 + 0.1
  EXPECT_LT(took, 5s);
}

TEST(Faults, WatchWithUnknownEventsAndAMultiMegabyteLine) {
  const std::string big(5 << 20, 'x');  // one 5 MiB object on one line
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) {
    if (!r.IsWatch()) return c.Respond(200, List({Cm("a", "1")}, "1"));
    c.StartStream();
    c.Chunk(Event("TELEPORTED", Cm("ghost", "2")));
    c.Chunk(
        R"({"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"3"}}})"
        "\n");
    // The big line arrives in many chunks, as a real server would send it.
    const std::string line = Event("ADDED", Cm("big", "4", big));
    for (size_t off = 0; off < line.size(); off += 100000) c.Chunk(line.substr(off, 100000));
    c.Chunk(Event("MODIFIED", Cm("a", "5", "changed")));
    c.Hold(10s);
    c.End();
  });
  Client client(Http(), server.url(), "ns");
  Informer informer(client, ConfigMaps(), "ns");
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(10s));
  ASSERT_TRUE(Eventually([&] {
    return informer.store().Size() == 2 && informer.LastResourceVersion() == "5";
  })) << informer.store().Size()
      << " objects at " << informer.LastResourceVersion() << ": " << informer.LastError();
  ASSERT_NE(informer.store().Get("ns/big"), nullptr) << informer.LastError();
  EXPECT_EQ((*informer.store().Get("ns/big"))["data"]["v"].get<std::string>().size(), big.size());
  EXPECT_EQ((*informer.store().Get("ns/a"))["data"]["v"], "changed");
  EXPECT_EQ(informer.store().Get("ns/ghost"), nullptr);
  EXPECT_EQ(informer.stats().unknown_events, 1);
  EXPECT_EQ(informer.stats().bookmarks, 1);
  EXPECT_EQ(informer.LastResourceVersion(), "5");
  informer.Stop();
}

TEST(Faults, OversizedOrMalformedWatchLinesReconnectWithBackoff) {
  for (const std::string kind : {"oversized", "truncated", "not-an-event", "nameless"}) {
    SCOPED_TRACE(kind);
    FaultServer server([&](const FaultRequest& r, FaultConnection& c) {
      if (!r.IsWatch()) return c.Respond(200, List({Cm("a", "1")}, "1"));
      c.StartStream();
      if (kind == "oversized") {
        c.Chunk(Event("ADDED", Cm("huge", "2", std::string(3 << 20, 'y'))));
      } else if (kind == "truncated") {
        c.Chunk(R"({"type":"ADDED","object":{"metadata":{"name":"t)"
                "\n");
      } else if (kind == "not-an-event") {
        c.Chunk("[1,2,3]\n");
      } else {
        c.Chunk(R"({"type":"ADDED","object":{"metadata":{}}})"
                "\n");
      }
      c.Hold(10s);
      c.End();
    });
    ClientOptions co;
    co.max_watch_line_bytes = 1 << 20;
    Client client(Http(), server.url(), "ns", co);
    base::FakeClock clock;
    Informer informer(client, ConfigMaps(), "ns", ExactBackoff(), clock);
    informer.Start();
    ASSERT_TRUE(informer.WaitForSync(10s));
    ASSERT_TRUE(Eventually([&] { return Count(server, true) >= 4; })) << "it reconnects";
    informer.Stop();
    const int watches = Count(server, true);
    EXPECT_TRUE(BackedOffAfterEach(clock, watches));
    EXPECT_EQ(informer.store().Keys(), std::vector<std::string>{"ns/a"});
    EXPECT_EQ(Count(server, false), 1) << "a bad line is not a reason to relist";
    // Every watch failed on its line (the last one possibly by Stop instead).
    EXPECT_GE(informer.stats().watch_errors, watches - 1);
    EXPECT_LE(informer.stats().watch_errors, watches);
  }
}

TEST(Faults, WatchErrorEventsGoneRelistsOtherErrorsBackOff) {
  std::atomic<int> watches{0};
  FaultServer server([&](const FaultRequest& r, FaultConnection& c) {
    if (!r.IsWatch()) {
      // The second list no longer has "a": the relist must report its deletion.
      return c.Respond(200, watches == 0 ? List({Cm("a", "1")}, "1") : List({Cm("b", "9")}, "9"));
    }
    c.StartStream();
    if (++watches == 1) {
      c.Chunk(Event("ERROR", R"({"kind":"Status","code":410,"reason":"Expired","message":"old"})"));
    } else {
      c.Chunk(Event("ERROR", R"({"kind":"Status","code":500,"reason":"InternalError"})"));
    }
    c.End();
  });
  Client client(Http(), server.url(), "ns");
  base::FakeClock clock;
  Informer informer(client, ConfigMaps(), "ns", ExactBackoff(), clock);
  std::vector<std::string> deleted;
  std::mutex mu;
  informer.AddEventHandler({nullptr, nullptr, [&](const ObjectPtr& obj) {
                              std::lock_guard<std::mutex> lock(mu);
                              deleted.push_back((*obj)["metadata"]["name"]);
                            }});
  informer.Start();
  // The end state: relisted once after 410, then several watches ending in a 500 ERROR event.
  ASSERT_TRUE(Eventually([&] { return watches >= 5; })) << watches;
  informer.Stop();
  EXPECT_EQ(informer.stats().lists, 2) << "only 410 relists";
  EXPECT_EQ(informer.stats().relists_after_gone, 1);
  EXPECT_EQ(informer.store().Keys(), std::vector<std::string>{"ns/b"});
  EXPECT_EQ(deleted, std::vector<std::string>{"a"});
  EXPECT_TRUE(BackedOffAfterEach(clock, watches)) << "410 and 500 ERROR events back off";
}

TEST(Faults, WatchThatEndsAtOnceDoesNotSpin) {
  FaultServer server([](const FaultRequest& r, FaultConnection& c) {
    if (!r.IsWatch()) return c.Respond(200, List({}, "1"));
    c.StartStream();
    c.End();
  });
  Client client(Http(), server.url(), "ns");
  base::FakeClock clock;
  Informer informer(client, ConfigMaps(), "ns", ExactBackoff(), clock);
  informer.Start();
  ASSERT_TRUE(Eventually([&] { return Count(server, true) >= 5; })) << "it rewatches";
  informer.Stop();
  EXPECT_TRUE(BackedOffAfterEach(clock, Count(server, true)));
  EXPECT_EQ(Count(server, false), 1) << "an empty watch is not a reason to relist";
  EXPECT_EQ(informer.stats().watch_errors, 0);
}

TEST(Faults, ThrottledWatchFailsTheAttemptAndTheInformerBacksOff) {
  FaultServer server([](const FaultRequest& r, FaultConnection& c) {
    if (!r.IsWatch()) return c.Respond(200, List({}, "1"));
    c.Respond(429, R"({"kind":"Status","code":429,"reason":"TooManyRequests"})",
              "Retry-After: 1\r\n");
  });
  Client client(Http(), server.url(), "ns");
  base::FakeClock clock;
  Informer informer(client, ConfigMaps(), "ns", ExactBackoff(), clock);
  informer.Start();
  ASSERT_TRUE(Eventually([&] { return informer.stats().watch_errors >= 5; }));
  informer.Stop();
  const long long failures = informer.stats().watch_errors;
  // The watch request itself is not retried by the client (only plain requests wait out
  // Retry-After there): each 429 fails one informer attempt, which then backs off. The attempt
  // Stop() cut short may or may not have reached the server, and is not counted as an error.
  EXPECT_GE(Count(server, true), failures);
  EXPECT_LE(Count(server, true), failures + 1);
  EXPECT_EQ(Count(server, false), 1);
  EXPECT_TRUE(BackedOffAfterEach(clock, failures));
}

}  // namespace
}  // namespace pulse::kube
