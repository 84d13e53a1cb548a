// Hostile and broken server responses, from a local fault server (the real API server is
// tested in the other integration tests): no crash, no busy loop, clear typed errors.
#include <gtest/gtest.h>

#include "fault_server.h"
#include "pulse/kube/informer.h"
#include "pulse/kube/rest_client.h"

namespace pulse::kube {
namespace {

using namespace std::chrono_literals;
using testing::FaultConnection;
using testing::FaultRequest;
using testing::FaultServer;

std::shared_ptr<HttpClient> Http(const FaultServer& s) {
  HttpClientOptions o;
  o.base_url = s.url();
  o.request_timeout = 5s;
  return std::shared_ptr<HttpClient>(MakeHttpClient(o));
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

Reason ReasonOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& e) {
    return e.reason();
  }
  return Reason::kUnknown;
}

int Count(const FaultServer& s, bool watch) {
  int n = 0;
  for (const auto& r : s.log()) n += r.IsWatch() == watch;
  return n;
}

TEST(Faults, TruncatedJsonBodyIsBadResponse) {
  FaultServer server([](const FaultRequest&, FaultConnection& c) {
    c.Respond(200, R"({"kind":"ConfigMap","metadata":{"na)");
  });
  Client client(Http(server), "ns");
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), "ns", "x"); }), Reason::kBadResponse);
  EXPECT_EQ(ReasonOf([&] { client.List(ConfigMaps(), "ns"); }), Reason::kBadResponse);
}

TEST(Faults, ConnectionClosedMidBodyIsTransport) {
  FaultServer server([](const FaultRequest&, FaultConnection& c) {
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n{\"kind\":");
  });
  Client client(Http(server), "ns");
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), "ns", "x"); }), Reason::kTransport);
}

TEST(Faults, NotHttpAtAllIsTransport) {
  FaultServer server(
      [](const FaultRequest&, FaultConnection& c) { c.Write("SSH-2.0-OpenSSH\r\n\r\n"); });
  Client client(Http(server), "ns");
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
  Client client(Http(server), "ns");
  EXPECT_EQ(ReasonOf([&] { client.List(ConfigMaps(), "ns"); }), Reason::kBadResponse);
  ListOptions lo;
  lo.limit = 1;
  EXPECT_EQ(ReasonOf([&] { client.List(ConfigMaps(), "ns", lo); }), Reason::kBadResponse);
}

TEST(Faults, ServerErrorStormIsNotRetriedInATightLoop) {
  FaultServer server([](const FaultRequest&, FaultConnection& c) {
    c.Respond(500, R"({"kind":"Status","code":500,"reason":"InternalError","message":"boom"})");
  });
  Client client(Http(server), "ns");
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), "ns", "x"); }), Reason::kServerError);
  EXPECT_EQ(server.requests(), 1) << "a 500 without Retry-After is the caller's to retry";

  InformerOptions o;
  o.backoff.initial = 200ms;
  o.backoff.max = 5s;
  Informer informer(client, ConfigMaps(), "ns", o);
  informer.Start();
  std::this_thread::sleep_for(3s);
  informer.Stop();
  const int lists = server.requests() - 1;
  EXPECT_GE(lists, 2) << "the informer keeps trying";
  EXPECT_LE(lists, 8) << "backoff, not a busy loop";
  EXPECT_FALSE(informer.HasSynced());
  EXPECT_NE(informer.LastError().find("boom"), std::string::npos) << informer.LastError();
}

TEST(Faults, TooManyRequestsHonoursRetryAfter) {
  FaultServer server([](const FaultRequest&, FaultConnection& c) {
    c.Respond(429, R"({"kind":"Status","code":429,"reason":"TooManyRequests","message":"slow"})",
              "Retry-After: 1\r\n");
  });
  ClientOptions co;
  co.max_throttle_retries = 2;
  Client client(Http(server), "ns", co);
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
  co.max_throttle_retries = 4;
  co.max_retry_after = 1s;
  Client client(Http(server), "ns", co);
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
  Client client(Http(server), "ns");
  Informer informer(client, ConfigMaps(), "ns");
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(10s));
  for (int i = 0; i < 200 && informer.store().Size() < 2; ++i) std::this_thread::sleep_for(50ms);
  for (int i = 0; i < 100 && informer.LastResourceVersion() != "5"; ++i) {
    std::this_thread::sleep_for(50ms);
  }
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
    Client client(Http(server), "ns", co);
    InformerOptions o;
    o.backoff.initial = 200ms;
    Informer informer(client, ConfigMaps(), "ns", o);
    informer.Start();
    ASSERT_TRUE(informer.WaitForSync(10s));
    std::this_thread::sleep_for(2500ms);
    informer.Stop();
    const int watches = Count(server, true);
    EXPECT_GE(watches, 2) << "it reconnects";
    EXPECT_LE(watches, 8) << "with backoff";
    EXPECT_EQ(informer.store().Size(), 1u);
    EXPECT_GE(informer.stats().watch_errors, 1);
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
  Client client(Http(server), "ns");
  InformerOptions o;
  o.backoff.initial = 200ms;
  Informer informer(client, ConfigMaps(), "ns", o);
  std::vector<std::string> deleted;
  std::mutex mu;
  informer.AddEventHandler({nullptr, nullptr, [&](const ObjectPtr& obj) {
                              std::lock_guard<std::mutex> lock(mu);
                              deleted.push_back((*obj)["metadata"]["name"]);
                            }});
  informer.Start();
  std::this_thread::sleep_for(2500ms);
  informer.Stop();
  EXPECT_EQ(informer.stats().lists, 2);
  EXPECT_EQ(informer.stats().relists_after_gone, 1);
  EXPECT_EQ(informer.store().Keys(), std::vector<std::string>{"ns/b"});
  EXPECT_EQ(deleted, std::vector<std::string>{"a"});
  EXPECT_LE(watches.load(), 8) << "500 ERROR events back off";
}

TEST(Faults, WatchThatEndsAtOnceDoesNotSpin) {
  FaultServer server([](const FaultRequest& r, FaultConnection& c) {
    if (!r.IsWatch()) return c.Respond(200, List({}, "1"));
    c.StartStream();
    c.End();
  });
  Client client(Http(server), "ns");
  InformerOptions o;
  o.backoff.initial = 200ms;
  Informer informer(client, ConfigMaps(), "ns", o);
  informer.Start();
  std::this_thread::sleep_for(3s);
  informer.Stop();
  EXPECT_LE(Count(server, true), 8);
  EXPECT_GE(Count(server, true), 2);
}

TEST(Faults, ThrottledWatchIsRetriedAfterRetryAfter) {
  FaultServer server([](const FaultRequest& r, FaultConnection& c) {
    if (!r.IsWatch()) return c.Respond(200, List({}, "1"));
    c.Respond(429, R"({"kind":"Status","code":429,"reason":"TooManyRequests"})",
              "Retry-After: 1\r\n");
  });
  Client client(Http(server), "ns");
  InformerOptions o;
  o.backoff.initial = 200ms;
  Informer informer(client, ConfigMaps(), "ns", o);
  informer.Start();
  std::this_thread::sleep_for(3s);
  informer.Stop();
  EXPECT_LE(Count(server, true), 8);
  EXPECT_GE(informer.stats().watch_errors, 1);
}

}  // namespace
}  // namespace pulse::kube
