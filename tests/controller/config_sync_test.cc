// The config sync's parts without a cluster or a Prometheus: the atomic file writer on a real
// temp directory, the reloader's confirmation against a scripted HTTP client, and the sync loop
// (coalescing, rejected config not retried, backoff) with a fake reloader on a FakeClock. Every
// wait is on a condition with a deadline; time moves only through FakeClock::Advance.
#include "pulse/controller/config_sync.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "pulse/controller/atomic_file.h"
#include "pulse/controller/delivery.h"
#include "pulse/controller/prometheus_reloader.h"
#include "pulse/http/client.h"
#include "pulse/testing/eventually.h"

namespace pulse::controller {
namespace {

namespace fs = std::filesystem;
using base::Status;
using base::StatusCode;
using pulse::testing::Eventually;
using namespace std::chrono_literals;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "pulse-sync-XXXXXX").string();
    path_ = ::mkdtemp(t.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  // Every entry, hidden ones included.
  std::vector<std::string> Entries(const std::string& sub = "") const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path_ + sub)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::string path_;
};

// ---- atomic writer ----

TEST(AtomicFileTest, WritesContentWithReadableModeAndNoTempFileLeft) {
  TempDir dir;
  const std::string path = dir.path() + "/prometheus.yml";
  ASSERT_TRUE(WriteFileAtomically(path, "global: {}\n").ok());
  EXPECT_EQ(ReadFile(path), "global: {}\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(dir.Entries(), std::vector<std::string>{"prometheus.yml"});
}

TEST(AtomicFileTest, ReplacesByRenameSoAnOpenReaderKeepsTheOldContent) {
  TempDir dir;
  const std::string path = dir.path() + "/f";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  struct stat before {};
  ::fstat(fd, &before);
  ASSERT_TRUE(WriteFileAtomically(path, "new content").ok());
  // A new inode took the name; the open file is the old one, complete (never truncated).
  char buf[16] = {};
  EXPECT_EQ(::pread(fd, buf, sizeof(buf), 0), 3);
  EXPECT_EQ(std::string(buf, 3), "old");
  ::close(fd);
  struct stat after {};
  ::stat(path.c_str(), &after);
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_EQ(ReadFile(path), "new content");
}

TEST(AtomicFileTest, FailureRemovesTheTempFileAndLeavesTheTargetAlone) {
  TempDir dir;
  // rename() cannot replace a non-empty directory: the last step fails.
  const std::string target = dir.path() + "/busy";
  fs::create_directories(target + "/inside");
  const Status s = WriteFileAtomically(target, "x");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rename"), std::string::npos) << s.ToString();
  EXPECT_EQ(dir.Entries(), std::vector<std::string>{"busy"});  // no .pulse-tmp-* left
  EXPECT_TRUE(fs::is_directory(target + "/inside"));

  const Status missing = WriteFileAtomically(dir.path() + "/no/such/dir/f", "x");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
}

TEST(AtomicFileTest, WritesOnlyWhenTheBytesDiffer) {
  TempDir dir;
  const std::string path = dir.path() + "/f";
  auto first = WriteFileIfChanged(path, "a");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  struct stat before {};
  ::stat(path.c_str(), &before);
  auto same = WriteFileIfChanged(path, "a");
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(*same);
  struct stat after {};
  ::stat(path.c_str(), &after);
  EXPECT_EQ(before.st_ino, after.st_ino);
  auto changed = WriteFileIfChanged(path, "b");
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(ReadFile(path), "b");
}

TEST(AtomicFileTest, ListsRegularFilesWithoutTempFilesAndRemovesDurably) {
  TempDir dir;
  std::ofstream(dir.path() + "/a.yaml") << "a";
  std::ofstream(dir.path() + "/" + kTempFilePrefix + "a.yaml.123456") << "partial";
  fs::create_directories(dir.path() + "/sub");
  auto files = ListRegularFiles(dir.path());
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, std::vector<std::string>{"a.yaml"});
  EXPECT_TRUE(RemoveFileDurably(dir.path() + "/a.yaml").ok());
  EXPECT_TRUE(RemoveFileDurably(dir.path() + "/a.yaml").ok());  // absent is fine
  EXPECT_FALSE(fs::exists(dir.path() + "/a.yaml"));
}

// ---- reloader against a scripted Prometheus ----

class FakePrometheus final : public http::Client {
 public:
  base::StatusOr<http::Response> Send(const http::Request& r, http::CancelToken*) override {
    std::lock_guard<std::mutex> lock(mu);
    if (down) return Status(StatusCode::kUnavailable, "connection refused");
    http::Response resp;
    resp.status = 200;
    if (r.url.ends_with("/api/v1/status/runtimeinfo")) {
      ++runtimeinfo_reads;
      if (!runtimeinfo) {
        resp.status = 404;
        return resp;
      }
      // As Prometheus renders it: the reload time truncated to whole seconds, in UTC.
      const auto t = static_cast<std::time_t>(timestamp);
      std::tm tm{};
      ::gmtime_r(&t, &tm);
      char at[32];
      std::strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
      resp.body = std::string(R"({"status":"success","data":{"CWD":"/prometheus",)") +
                  R"("reloadConfigSuccess":)" + (successful == 1 ? "true" : "false") +
                  R"(,"lastConfigTime":")" + at + R"(","goroutineCount":40}})";
    } else if (r.url.ends_with("/metrics")) {
      ++metrics_reads;
      resp.body = "# HELP x\nprometheus_config_last_reload_successful " +
                  std::to_string(successful) +
                  "\nprometheus_config_last_reload_success_timestamp_seconds " +
                  std::to_string(timestamp) + "\n";
    } else if (r.method == "POST" && r.url.ends_with("/-/reload")) {
      ++reloads;
      if (reject) {
        successful = 0;
        resp.status = 500;
        resp.body = "failed to reload config: duplicate job name\n";
      } else {
        successful = 1;
        if (advance) timestamp += 1.5;
      }
    } else {
      resp.status = 404;
    }
    return resp;
  }
  base::StatusOr<http::Response> Stream(const http::Request&, const http::LineHandler&,
                                        http::CancelToken*, std::size_t) override {
    return Status(StatusCode::kInternal, "unused");
  }

  std::mutex mu;
  bool down = false;
  bool reject = false;
  bool advance = true;
  int successful = 1;
  double timestamp = 1764000000.25;
  bool runtimeinfo = true;  // false: 404, as from a server without the endpoint
  int reloads = 0;
  int metrics_reads = 0;
  int runtimeinfo_reads = 0;
};

TEST(PrometheusReloaderTest, ConfirmsTheReloadFromPrometheusRuntimeInfo) {
  FakePrometheus prom;
  base::FakeClock clock;
  base::Stopper stop;
  PrometheusReloader reloader(prom, {.url = "http://prom"}, clock);
  auto ok = reloader.Reload(stop);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  // Prometheus' own reload time, in whole seconds (1764000001.75 truncated).
  EXPECT_DOUBLE_EQ(ok->success_timestamp_seconds, 1764000001);
  // One small read per reload, after the POST; never the megabytes of /metrics.
  EXPECT_EQ(prom.runtimeinfo_reads, 1);
  EXPECT_EQ(prom.metrics_reads, 0);
  ok = reloader.Reload(stop);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_DOUBLE_EQ(ok->success_timestamp_seconds, 1764000003);
  EXPECT_EQ(prom.runtimeinfo_reads, 2);
  // Two reloads within one second look alike at that resolution: confirmed (the 200 said so).
  prom.advance = false;
  ok = reloader.Reload(stop);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(prom.metrics_reads, 0);

  // Prometheus reports an older success than the one confirmed last (another server answered,
  // or Prometheus restarted and has not loaded anything since): not confirmed, retriable.
  prom.timestamp -= 10;
  auto older = reloader.Reload(stop);
  EXPECT_EQ(older.status().code(), StatusCode::kDeadlineExceeded) << older.status().ToString();
  prom.timestamp += 10;

  // 200, but Prometheus says the last reload failed.
  prom.successful = 0;
  prom.advance = true;
  {
    // The fake's POST sets successful = 1; a server that does not is what this covers.
    struct NoFlag final : http::Client {
      FakePrometheus& p;
      explicit NoFlag(FakePrometheus& prom) : p(prom) {}
      base::StatusOr<http::Response> Send(const http::Request& r, http::CancelToken* c) override {
        auto resp = p.Send(r, c);
        if (r.method == "POST") p.successful = 0;
        return resp;
      }
      base::StatusOr<http::Response> Stream(const http::Request& r, const http::LineHandler& h,
                                            http::CancelToken* c, std::size_t n) override {
        return p.Stream(r, h, c, n);
      }
    } no_flag(prom);
    PrometheusReloader other(no_flag, {.url = "http://prom"}, clock);
    EXPECT_EQ(other.Reload(stop).status().code(), StatusCode::kFailedPrecondition);
  }

  prom.reject = true;
  auto rejected = reloader.Reload(stop);
  EXPECT_EQ(rejected.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rejected.status().message().find("duplicate job name"), std::string::npos);

  prom.down = true;
  EXPECT_EQ(reloader.Reload(stop).status().code(), StatusCode::kUnavailable);
}

// A server without runtimeinfo is read through /metrics, where the time has sub-second
// precision and must move past the last confirmed success.
TEST(PrometheusReloaderTest, FallsBackToMetricsWithoutRuntimeInfo) {
  FakePrometheus prom;
  prom.runtimeinfo = false;
  base::FakeClock clock;
  base::Stopper stop;
  PrometheusReloader reloader(prom, {.url = "http://prom"}, clock);
  auto ok = reloader.Reload(stop);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_DOUBLE_EQ(ok->success_timestamp_seconds, 1764000001.75);
  EXPECT_EQ(prom.metrics_reads, 1);
  ok = reloader.Reload(stop);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_DOUBLE_EQ(ok->success_timestamp_seconds, 1764000003.25);
  EXPECT_EQ(prom.metrics_reads, 2);
  EXPECT_EQ(prom.runtimeinfo_reads, 1);  // asked once, 404 remembered

  prom.reject = true;
  auto rejected = reloader.Reload(stop);
  EXPECT_EQ(rejected.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rejected.status().message().find("duplicate job name"), std::string::npos);

  // 200 but the success timestamp never moves: not confirmed (retriable), after the timeout.
  prom.reject = false;
  prom.advance = false;
  auto unconfirmed = reloader.Reload(stop);
  EXPECT_EQ(unconfirmed.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(PrometheusReloaderTest, RuntimeInfoParserTakesOnlyWhatPrometheusWrites) {
  const auto ok =
      ParseRuntimeInfo(R"({"status":"success","data":{"reloadConfigSuccess":true,)"
                       R"("lastConfigTime":"2026-12-03T19:45:50Z","storageRetention":"15d"}})");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->first, 1);
  EXPECT_DOUBLE_EQ(ok->second, 1796327150);
  const auto failed = ParseRuntimeInfo(
      R"({"data":{"reloadConfigSuccess":false,"lastConfigTime":"2026-12-03T19:45:50+01:00"}})");
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->first, 0);
  EXPECT_DOUBLE_EQ(failed->second, 1796327150 - 3600);
  for (const char* bad :
       {"", "not json", "[]", "{}", R"({"data":[]})",
        R"({"data":{"reloadConfigSuccess":"true","lastConfigTime":"2026-12-03T19:45:50Z"}})",
        R"({"data":{"reloadConfigSuccess":true}})",
        R"({"data":{"reloadConfigSuccess":true,"lastConfigTime":17}})",
        R"({"data":{"reloadConfigSuccess":true,"lastConfigTime":"yesterday"}})",
        R"({"data":{"reloadConfigSuccess":true,"lastConfigTime":"2026-13-40T99:99:99Z"}})",
        R"({"data":{"reloadConfigSuccess":true,"lastConfigTime":"2026-12-03T19:45:50Z")"}) {
    EXPECT_FALSE(ParseRuntimeInfo(bad).has_value()) << bad;
  }
  // Oversized and deeply nested input is refused without a crash.
  EXPECT_FALSE(ParseRuntimeInfo(std::string(100000, '[')).has_value());
  EXPECT_FALSE(ParseRuntimeInfo("{\"data\":\"" + std::string(1 << 20, 'x') + "\"}").has_value());
}

TEST(PrometheusReloaderTest, FindsUnlabelledSamples) {
  const std::string page = "# TYPE a gauge\na_total{x=\"1\"} 3\na 2.5e+09\nab 7\n";
  EXPECT_EQ(FindSample(page, "a"), 2.5e9);
  EXPECT_EQ(FindSample(page, "ab"), 7);
  EXPECT_EQ(FindSample(page, "missing"), std::nullopt);
}

// ---- the sync loop ----

// Scripted results; optionally holds each call until Release() so a test can act while a reload
// is in flight.
class FakeReloader final : public Reloader {
 public:
  base::StatusOr<ReloadResult> Reload(base::Stopper&) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++calls_;
    ++in_flight_;
    max_in_flight_ = std::max(max_in_flight_, in_flight_);
    cv_.notify_all();
    cv_.wait(lock, [&] { return !hold_ || released_ > 0; });
    if (hold_) --released_;
    --in_flight_;
    Status s;
    if (!script_.empty()) {
      s = script_.front();
      script_.pop_front();
    }
    if (!s.ok()) return s;
    return ReloadResult{1764000000.0 + calls_};
  }
  void Script(std::vector<Status> results) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.assign(results.begin(), results.end());
  }
  void Hold(bool hold) {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = hold;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    ++released_;
    cv_.notify_all();
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  int in_flight() const {
    std::lock_guard<std::mutex> lock(mu_);
    return in_flight_;
  }
  int max_in_flight() const {
    std::lock_guard<std::mutex> lock(mu_);
    return max_in_flight_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Status> script_;
  bool hold_ = false;
  int released_ = 0;
  int calls_ = 0;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

// The "API": what the informers would hold, changed by the test.
class FakeApi {
 public:
  void SetConfig(const std::string& yml) {
    std::lock_guard<std::mutex> lock(mu_);
    snap_.config_secrets.clear();
    for (const auto& o : BuildConfigSecrets(yml, {})) snap_.config_secrets.push_back(o.object);
  }
  void SetCredentials(std::map<std::string, std::string> files) {
    std::lock_guard<std::mutex> lock(mu_);
    snap_.credential_files = std::move(files);
  }
  void SetRules(std::map<std::string, std::string> rules) {
    std::lock_guard<std::mutex> lock(mu_);
    snap_.rule_files = std::move(rules);
  }
  // The head names rule ConfigMaps the informer has not delivered yet.
  void SetRulesBehind(bool behind) {
    std::lock_guard<std::mutex> lock(mu_);
    snap_.rules_behind = behind;
  }
  // The writer mid-update: a part of another version.
  void BreakParts() {
    std::lock_guard<std::mutex> lock(mu_);
    auto other = BuildConfigSecrets("other", {});
    other[0].object["metadata"]["annotations"][kConfigPartAnnotation] = "1/2";
    snap_.config_secrets.push_back(other[0].object);
  }
  ConfigSyncSnapshot Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return snap_;
  }

 private:
  mutable std::mutex mu_;
  ConfigSyncSnapshot snap_;
};

class ConfigSyncTest : public ::testing::Test {
 protected:
  void Start(std::chrono::milliseconds min_interval = 0ms, std::chrono::milliseconds settle = 0ms) {
    ConfigSyncOptions o;
    o.config_dir = dir_.path();
    o.rules_dir = dir_.path() + "/rules";
    o.min_reload_interval = min_interval;
    o.settle = settle;
    o.credentials_dir = credentials_dir_;
    sync_ = std::make_unique<ConfigSync>(
        o, [this] { return api_.Get(); }, reloader_, clock_, &registry_);
    thread_ = std::thread([this] { sync_->Run(); });
  }
  void TearDown() override {
    if (sync_) {
      reloader_.Hold(false);
      reloader_.Release();
      sync_->Stop();
      thread_.join();
    }
  }
  std::string Metrics() { return prometheus::TextSerializer().Serialize(registry_.Collect()); }
  // Waits until the loop has looked at `n` snapshots in all, then until it is idle.
  bool WaitSyncs(long long n) {
    return Eventually([&] { return sync_->stats().syncs >= n; }, 10s, 1ms);
  }

  TempDir dir_;
  std::string credentials_dir_;
  FakeApi api_;
  FakeReloader reloader_;
  base::FakeClock clock_;
  prometheus::Registry registry_;
  std::unique_ptr<ConfigSync> sync_;
  std::thread thread_;
};

TEST_F(ConfigSyncTest, WritesFilesReloadsOnceAndRemovesStaleRuleFiles) {
  api_.SetConfig("scrape_configs: [{job_name: a}]\n");
  api_.SetRules({{"a.yaml", "groups: []\n"}, {"b.yaml", "groups: [x]\n"}});
  Start();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 1; }, 10s, 1ms));
  EXPECT_EQ(ReadFile(dir_.path() + "/prometheus.yml"), "scrape_configs: [{job_name: a}]\n");
  EXPECT_EQ(ReadFile(dir_.path() + "/rules/b.yaml"), "groups: [x]\n");
  EXPECT_EQ(sync_->LoadedHash(), ContentHash("scrape_configs: [{job_name: a}]\n"));
  EXPECT_NE(Metrics().find("pulse_config_sync_last_loaded_hash_info{hash=\"" + sync_->LoadedHash() +
                           "\"} 1"),
            std::string::npos)
      << Metrics();

  // An event with nothing changed: no write, no reload.
  const long long syncs = sync_->stats().syncs;
  sync_->Notify();
  ASSERT_TRUE(WaitSyncs(syncs + 1));
  EXPECT_EQ(reloader_.calls(), 1);
  EXPECT_EQ(sync_->stats().files_written, 3);

  // b.yaml is gone from the API: removed from disk, and that is a change Prometheus must load.
  api_.SetRules({{"a.yaml", "groups: []\n"}});
  sync_->Notify();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 2; }, 10s, 1ms));
  EXPECT_EQ(dir_.Entries("/rules"), std::vector<std::string>{"a.yaml"});
  EXPECT_EQ(sync_->stats().files_removed, 1);
}

TEST_F(ConfigSyncTest, WriterMidUpdateIsNotLoadedAndWaitsForTheNextChange) {
  api_.SetConfig("v1\n");
  api_.BreakParts();
  Start();
  ASSERT_TRUE(WaitSyncs(1));
  EXPECT_FALSE(fs::exists(dir_.path() + "/prometheus.yml"));
  EXPECT_EQ(reloader_.calls(), 0);
  EXPECT_NE(Metrics().find("pulse_config_sync_errors_total{stage=\"assemble\"} 0"),
            std::string::npos);
  api_.SetConfig("v2\n");
  sync_->Notify();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 1; }, 10s, 1ms));
  EXPECT_EQ(ReadFile(dir_.path() + "/prometheus.yml"), "v2\n");
}

TEST_F(ConfigSyncTest, RejectedConfigIsReportedAndNotRetriedUntilTheContentChanges) {
  api_.SetConfig("good\n");
  Start();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 1; }, 10s, 1ms));
  const std::string good_hash = sync_->LoadedHash();

  reloader_.Script({Status(StatusCode::kFailedPrecondition, "duplicate job_name")});
  api_.SetConfig("bad\n");
  sync_->Notify();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().rejected == 1; }, 10s, 1ms));
  ASSERT_TRUE(WaitSyncs(2));  // a pass is counted after its reload
  // Time passes and unrelated events arrive: the same rejected files are not reloaded again.
  for (int i = 0; i < 5; ++i) {
    const long long syncs = sync_->stats().syncs;
    clock_.Advance(10min);
    sync_->Notify();
    ASSERT_TRUE(WaitSyncs(syncs + 1));
  }
  EXPECT_EQ(reloader_.calls(), 2);
  EXPECT_EQ(sync_->LoadedHash(), good_hash);  // Prometheus keeps the previous config
  const std::string m = Metrics();
  EXPECT_NE(m.find("pulse_config_sync_reloads_total{result=\"failure\"} 1"), std::string::npos)
      << m;
  EXPECT_NE(m.find("pulse_config_sync_reloads_total{result=\"success\"} 1"), std::string::npos);

  api_.SetConfig("fixed\n");
  sync_->Notify();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 2; }, 10s, 1ms));
  EXPECT_EQ(reloader_.calls(), 3);
  EXPECT_EQ(sync_->LoadedHash(), ContentHash("fixed\n"));
}

TEST_F(ConfigSyncTest, UnreachablePrometheusIsRetriedWithBackoffOnTheClock) {
  reloader_.Script(
      {Status(StatusCode::kUnavailable, "refused"), Status(StatusCode::kUnavailable, "refused")});
  api_.SetConfig("c\n");
  Start();
  ASSERT_TRUE(Eventually([&] { return reloader_.calls() == 1; }, 10s, 1ms));
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_failure == 1; }, 10s, 1ms));
  // First retry after 500 ms, the second after 1 s more: not a moment before.
  clock_.Advance(499ms);
  clock_.Advance(0ms);
  EXPECT_EQ(reloader_.calls(), 1);
  clock_.Advance(1ms);
  ASSERT_TRUE(Eventually([&] { return reloader_.calls() == 2; }, 10s, 1ms));
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_failure == 2; }, 10s, 1ms));
  clock_.Advance(999ms);
  EXPECT_EQ(reloader_.calls(), 2);
  clock_.Advance(1ms);
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 1; }, 10s, 1ms));
  EXPECT_NE(Metrics().find("pulse_config_sync_errors_total{stage=\"reload\"} 2"),
            std::string::npos);
}

TEST_F(ConfigSyncTest, ChangesDuringAReloadCauseExactlyOneMoreAndNeverTwoInFlight) {
  reloader_.Hold(true);
  api_.SetConfig("v0\n");
  Start();
  ASSERT_TRUE(Eventually([&] { return reloader_.in_flight() == 1; }, 10s, 1ms));
  for (int i = 1; i <= 20; ++i) {
    api_.SetConfig("v" + std::to_string(i) + "\n");
    sync_->Notify();
  }
  reloader_.Release();
  ASSERT_TRUE(Eventually([&] { return reloader_.calls() == 2; }, 10s, 1ms));
  reloader_.Release();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 2; }, 10s, 1ms));
  EXPECT_EQ(sync_->LoadedHash(), ContentHash("v20\n"));
  // Idle now: no third reload, whatever time does.
  const long long syncs = sync_->stats().syncs;
  sync_->Notify();
  ASSERT_TRUE(WaitSyncs(syncs + 1));
  clock_.Advance(1h);
  EXPECT_EQ(reloader_.calls(), 2);
  EXPECT_EQ(reloader_.max_in_flight(), 1);
}

TEST_F(ConfigSyncTest, MinReloadIntervalCoalescesABurstIntoOneMoreReload) {
  api_.SetConfig("v0\n");
  Start(1s);
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 1; }, 10s, 1ms));
  ASSERT_TRUE(WaitSyncs(1));  // counted after its reload
  for (int i = 1; i <= 20; ++i) {
    const long long syncs = sync_->stats().syncs;
    api_.SetConfig("v" + std::to_string(i) + "\n");
    sync_->Notify();
    ASSERT_TRUE(WaitSyncs(syncs + 1));
    clock_.Advance(10ms);
  }
  EXPECT_EQ(reloader_.calls(), 1);
  EXPECT_EQ(ReadFile(dir_.path() + "/prometheus.yml"), "v20\n");  // files are current already
  clock_.Advance(800ms);                                          // 1 s after the first reload
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 2; }, 10s, 1ms));
  EXPECT_EQ(sync_->LoadedHash(), ContentHash("v20\n"));
  EXPECT_EQ(reloader_.calls(), 2);
}

TEST_F(ConfigSyncTest, SettleWindowTurnsABurstIntoOnePassOverTheFinalState) {
  api_.SetConfig("v0\n");
  Start(0ms, 200ms);
  // The start-up sync does not wait for a settle window.
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 1; }, 10s, 1ms));
  // The pass is counted after its reload; wait for the count so it is not mistaken for a new one.
  ASSERT_TRUE(WaitSyncs(1));
  const long long syncs = sync_->stats().syncs;
  // 100 changes 5 ms apart (within the 1 s max_settle): nothing is synced while they arrive.
  for (int i = 1; i <= 100; ++i) {
    api_.SetConfig("v" + std::to_string(i) + "\n");
    sync_->Notify();
    clock_.Advance(5ms);
  }
  clock_.Advance(150ms);  // 155 ms after the last change: still settling
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(sync_->stats().syncs, syncs);
  EXPECT_EQ(reloader_.calls(), 1);
  clock_.Advance(50ms);  // quiet for 200 ms: one pass, one reload of the final state
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 2; }, 10s, 1ms));
  EXPECT_EQ(sync_->LoadedHash(), ContentHash("v100\n"));
  // The pass is counted just after its reload: wait for the count, then check it is one pass.
  ASSERT_TRUE(WaitSyncs(syncs + 1));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(sync_->stats().syncs, syncs + 1);

  // A stream that never pauses is still synced once max_settle (1 s) after its first change.
  for (int i = 101; i <= 130; ++i) {
    api_.SetConfig("v" + std::to_string(i) + "\n");
    sync_->Notify();
    clock_.Advance(40ms);
  }
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 3; }, 10s, 1ms));
  EXPECT_EQ(reloader_.calls(), 3);
}

// The head config Secret is written after everything it goes with: a lone head change is a
// complete delivery and skips the settle wait; other changes, and a burst after its first
// delivery, still settle.
TEST_F(ConfigSyncTest, ALoneDeliveryIsSyncedAtOnceAndABurstStillSettles) {
  api_.SetConfig("v0\n");
  Start(0ms, 200ms);
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 1; }, 10s, 1ms));
  ASSERT_TRUE(WaitSyncs(1));
  // A lone delivery: loaded without the (fake) clock moving at all.
  api_.SetConfig("v1\n");
  sync_->NotifyDelivered();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 2; }, 10s, 1ms));
  EXPECT_EQ(sync_->LoadedHash(), ContentHash("v1\n"));
  ASSERT_TRUE(WaitSyncs(2));

  // A rule ConfigMap alone (not a head change) waits for the settle window.
  api_.SetRules({{"a.yaml", "groups: []\n"}});
  sync_->Notify();
  clock_.Advance(150ms);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(sync_->stats().syncs, 2);
  clock_.Advance(50ms);
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 3; }, 10s, 1ms));
  ASSERT_TRUE(WaitSyncs(3));

  // A burst of 20 deliveries 40 ms apart, after a quiet second: the first at once, the other
  // 19 in one pass once they settle. Two reloads.
  clock_.Advance(1s);
  api_.SetConfig("b1\n");
  sync_->NotifyDelivered();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 4; }, 10s, 1ms));
  ASSERT_TRUE(WaitSyncs(4));
  for (int i = 2; i <= 20; ++i) {
    clock_.Advance(40ms);
    api_.SetConfig("b" + std::to_string(i) + "\n");
    sync_->NotifyDelivered();
  }
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(sync_->stats().syncs, 4);  // still settling
  clock_.Advance(200ms);
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 5; }, 10s, 1ms));
  EXPECT_EQ(sync_->LoadedHash(), ContentHash("b20\n"));
  EXPECT_EQ(reloader_.calls(), 5);
}

// The head Secret's event may come before those of its rule ConfigMaps (separate watches). A
// lone delivery then waits for them and reloads once, with both; if they never come, it syncs
// what there is once `settle` has passed.
TEST_F(ConfigSyncTest, ALoneDeliverySeenBeforeItsRulesWaitsForThemAndReloadsOnce) {
  api_.SetConfig("v0\n");
  Start(0ms, 200ms);
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 1; }, 10s, 1ms));
  ASSERT_TRUE(WaitSyncs(1));

  // The head arrives, its rules not yet: no reload, however long the test thread waits.
  api_.SetConfig("v1\n");
  api_.SetRulesBehind(true);
  sync_->NotifyDelivered();
  ASSERT_TRUE(WaitSyncs(2));
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(reloader_.calls(), 1);
  EXPECT_FALSE(fs::exists(dir_.path() + "/rules/a.yaml"));
  // Their event: synced at once (the clock has not moved), one reload with the new rules.
  api_.SetRules({{"a.yaml", "groups: []\n"}});
  api_.SetRulesBehind(false);
  sync_->Notify();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 2; }, 10s, 1ms));
  EXPECT_EQ(ReadFile(dir_.path() + "/rules/a.yaml"), "groups: []\n");
  EXPECT_EQ(sync_->LoadedHash(), ContentHash("v1\n"));
  ASSERT_TRUE(WaitSyncs(3));
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(reloader_.calls(), 2);

  // Rules that never come (a ConfigMap lost, a foreign one): the wait ends after `settle`, and
  // the sync loads what there is.
  clock_.Advance(2s);
  api_.SetConfig("v2\n");
  api_.SetRulesBehind(true);
  sync_->NotifyDelivered();
  ASSERT_TRUE(WaitSyncs(4));
  clock_.Advance(150ms);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(reloader_.calls(), 2);
  clock_.Advance(50ms);
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 3; }, 10s, 1ms));
  EXPECT_EQ(sync_->LoadedHash(), ContentHash("v2\n"));
}

TEST_F(ConfigSyncTest, CredentialFilesArePrivateStaleOnesGoAndAloneNeedNoReload) {
  credentials_dir_ = dir_.path() + "/credentials";
  api_.SetConfig("v1\n");
  // The credentials Secret as the sync sees it, read back through delivery.h.
  DeliveryOptions delivery;
  api_.SetCredentials(CredentialFiles(
      BuildCredentialsSecret({{"shop_a_user", "u"}, {"shop_a_pass", "p1"}}, delivery).object));
  Start();
  ASSERT_TRUE(Eventually([&] { return sync_->stats().reloads_success == 1; }, 10s, 1ms));
  EXPECT_EQ(ReadFile(credentials_dir_ + "/shop_a_pass"), "p1");
  EXPECT_EQ(fs::status(credentials_dir_ + "/shop_a_pass").permissions(),
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(credentials_dir_).permissions(), fs::perms::owner_all);
  ASSERT_TRUE(WaitSyncs(1));  // counted after its reload

  // A new password (and a key gone): files follow, Prometheus is not reloaded for it.
  api_.SetCredentials({{"shop_a_pass", "p2"}});
  const long long syncs = sync_->stats().syncs;
  sync_->Notify();
  ASSERT_TRUE(WaitSyncs(syncs + 1));
  EXPECT_EQ(ReadFile(credentials_dir_ + "/shop_a_pass"), "p2");
  EXPECT_EQ(dir_.Entries("/credentials"), std::vector<std::string>{"shop_a_pass"});
  EXPECT_EQ(reloader_.calls(), 1);
  EXPECT_EQ(fs::status(credentials_dir_ + "/shop_a_pass").permissions(),
            fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace
}  // namespace pulse::controller
