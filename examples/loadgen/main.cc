// pulse-demo-loadgen: drives the demo services with many Zipf-distributed users at a target rate
// for a bounded time, then prints what it sent and what came back. `--help` states the traffic
// mix; `--stats-file` keeps live counts for checks against what Prometheus recorded.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "../../instrumentation/bench/zipf.h"
#include "pulse/demo/flags.h"
#include "pulse/demo/loopback_http_client.h"
#include "scenarios.h"

namespace loadgen = pulse::demo::loadgen;
using pulse::demo::Flags;
using pulse::demo::HttpResult;
using pulse::demo::LoopbackHttpClient;
using pulse::demo::ParseHostPort;

namespace {

constexpr const char* kUsage =
    R"(Usage: pulse-demo-loadgen --target NAME=HOST:PORT[,NAME=HOST:PORT...] [options]

Sends an open-loop request stream (a slow service does not lower the offered load) to the demo
services, round-robin over the targets, each request as one of --users users drawn from a Zipf
distribution (header X-User-Id), for --duration-s seconds; then prints the counts per status.

Options:
  --target LIST       shop=HOST:PORT,crm=HOST:PORT,mes=HOST:PORT (any subset, names as shown)
  --rps N             total requests per second over all targets (default 50)
  --duration-s N      1..86400 (default 30)
  --users N           distinct users (default 100000)   --zipf S  Zipf exponent (default 1.1)
  --threads N         sending threads (default 4)        --seed N  random seed (default 1)
  --not-found-pct P   share of each service's requests that deliberately ask for something that
                      does not exist, answered 404 (default 1; 0 turns them off)
  --stats-file PATH   rewrite PATH every second with JSON: elapsed seconds, requests sent and
                      the answers per target and status, and each target's 20 heaviest users
                      with their request counts (for checks against Prometheus)
  --help              this text
SIGUSR1 pauses sending (requests in flight complete and are counted), SIGUSR2 resumes: a check
can then compare the services' counters with this program's exact counts.

Traffic mix per service (the rest of the --not-found-pct share):
  shop  40% GET /catalogue, 20% GET /catalogue/{sku}, 15% POST /cart/{user}/items,
        10% GET /cart/{user}, 8% POST /orders (a user whose cart is empty adds an item
        instead), 7% GET /orders/{id} of an existing order
  crm   30% GET /customers, 25% GET /customers/{id}, 10% POST /customers, 15% GET /deals,
        10% POST /deals for an existing customer, 10% PUT /deals/{id}/stage
  mes   40% POST /machines/{id}/telemetry, 20% GET /machines/{id}/telemetry,
        10% GET /work-orders?status=running, 10% POST /work-orders,
        15% GET /work-orders/{id}, 5% PUT /work-orders/{id}/status
Reads and updates name only objects that exist (learnt from the services' 201 answers); one
that needs an object nobody has created yet is sent as that create instead. So every 404 is
a deliberate not-found request (an unknown SKU, customer or work order): it shows 4xx answers in
the dashboards, which RED does not count as errors. 500s come only from the services'
--error-rate fault injection.
)";

struct Target {
  loadgen::Service service;
  std::string name, host;
  int port;
};

std::vector<Target> ParseTargets(const std::string& spec) {
  std::vector<Target> out;
  std::size_t pos = 0;
  while (pos < spec.size()) {
    std::size_t end = spec.find(',', pos);
    if (end == std::string::npos) end = spec.size();
    const std::string item = spec.substr(pos, end - pos);
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos) {
      throw std::invalid_argument("--target \"" + item + "\" is not NAME=HOST:PORT");
    }
    const auto [host, port] = ParseHostPort(item.substr(eq + 1));
    out.push_back({loadgen::ParseService(item.substr(0, eq)), item.substr(0, eq), host, port});
    pos = end + 1;
  }
  if (out.empty()) throw std::invalid_argument("--target is required");
  return out;
}

// Answers per target and status, and requests per target and user, shared by the sending
// threads. The per-user counts are the truth the services' top-K users are checked against.
class Tally {
 public:
  static constexpr std::size_t kTopUsers = 20;

  void Add(const std::string& target, int status, const std::string& user) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[target][status];
    ++users_[target][user];
    ++sent_;
  }
  std::string Json(double elapsed) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out = "{\"elapsed_s\":" + std::to_string(elapsed) +
                      ",\"sent\":" + std::to_string(sent_) + ",\"targets\":{";
    bool first_target = true;
    for (const auto& [name, m] : counts_) {
      long long total = 0;
      std::string statuses;
      for (const auto& [status, n] : m) {
        total += n;
        statuses +=
            (statuses.empty() ? "\"" : ",\"") + std::to_string(status) + "\":" + std::to_string(n);
      }
      out += (first_target ? "\"" : ",\"") + name + "\":{\"sent\":" + std::to_string(total) +
             ",\"status\":{" + statuses + "},\"top_users\":[" + TopUsers(name) + "]}";
      first_target = false;
    }
    return out + "}}\n";
  }
  void Print(std::ostream& os, double elapsed) const {
    std::lock_guard<std::mutex> lock(mu_);
    os << "sent " << sent_ << " requests in " << elapsed << " s ("
       << static_cast<double>(sent_) / elapsed << " rps)\n";
    for (const auto& [name, m] : counts_) {
      os << name << ":";
      for (const auto& [status, n] : m) {
        os << " " << (status == 0 ? std::string("no-response") : std::to_string(status)) << "="
           << n;
      }
      os << "\n";
    }
  }

 private:
  // `["user",count],...` for the target's kTopUsers heaviest users, heaviest first (ties by
  // name, so the file is deterministic). Called with mu_ held.
  std::string TopUsers(const std::string& target) const {
    const auto it = users_.find(target);
    if (it == users_.end()) return "";
    std::vector<std::pair<const std::string*, long long>> all;
    all.reserve(it->second.size());
    for (const auto& [user, n] : it->second) all.emplace_back(&user, n);
    const auto top = all.begin() + static_cast<std::ptrdiff_t>(std::min(kTopUsers, all.size()));
    std::partial_sort(all.begin(), top, all.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : *a.first < *b.first;
    });
    std::string out;
    for (auto u = all.begin(); u != top; ++u) {
      // Loadgen user ids are "user-<n>": nothing to escape in JSON.
      out +=
          (u == all.begin() ? "[\"" : ",[\"") + *u->first + "\"," + std::to_string(u->second) + "]";
    }
    return out;
  }

  mutable std::mutex mu_;
  std::map<std::string, std::map<int, long long>> counts_;  // target → status → count
  // target → user → requests; at most --users entries per target.
  std::map<std::string, std::unordered_map<std::string, long long>> users_;
  long long sent_ = 0;
};

// Set from signal handlers (a lock-free atomic is async-signal-safe).
std::atomic<bool> g_paused{false};
static_assert(std::atomic<bool>::is_always_lock_free);
extern "C" void OnPause(int) { g_paused = true; }
extern "C" void OnResume(int) { g_paused = false; }

// Replaces PATH atomically (write aside, rename), so a reader never sees half a file.
void WriteStats(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << text;
  }
  std::rename(tmp.c_str(), path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Flags flags(argc, argv,
                      {"target", "rps", "duration-s", "users", "zipf", "threads", "seed",
                       "not-found-pct", "stats-file"},
                      {"help"});
    if (flags.Has("help")) {
      std::cout << kUsage;
      return 0;
    }
    const std::vector<Target> targets = ParseTargets(flags.Get("target"));
    const double rps = flags.GetDouble("rps", 50);
    const long long duration_s = flags.GetInt("duration-s", 30);
    const long long users = flags.GetInt("users", 100000);
    const double zipf_s = flags.GetDouble("zipf", 1.1);
    const long long threads = flags.GetInt("threads", 4);
    const double not_found_pct = flags.GetDouble("not-found-pct", 1);
    const std::string stats_file = flags.Get("stats-file");
    if (rps <= 0 || rps > 1e6) throw std::invalid_argument("--rps must be in (0, 1e6]");
    if (duration_s <= 0 || duration_s > 86400)
      throw std::invalid_argument("--duration-s: 1..86400");
    if (users <= 0 || users > 10'000'000) throw std::invalid_argument("--users: 1..10000000");
    if (zipf_s < 0 || zipf_s > 5) throw std::invalid_argument("--zipf: 0..5");
    if (threads <= 0 || threads > 256) throw std::invalid_argument("--threads: 1..256");
    if (!(not_found_pct >= 0 && not_found_pct <= 100))
      throw std::invalid_argument("--not-found-pct: 0..100");
    const auto seed = static_cast<std::uint64_t>(flags.GetInt("seed", 1));

    struct sigaction sa = {};
    sa.sa_handler = OnPause;
    sigaction(SIGUSR1, &sa, nullptr);
    sa.sa_handler = OnResume;
    sigaction(SIGUSR2, &sa, nullptr);
    const pulse::red::testing::Zipf zipf(static_cast<std::size_t>(users), zipf_s);
    loadgen::KnownObjects known;
    Tally tally;
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::seconds(duration_s);
    auto elapsed = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    // Open loop: each thread sends at rps/threads on a fixed schedule, so a slow service does not
    // lower the offered load (late requests are sent at once, never skipped).
    const auto interval = std::chrono::duration<double>(static_cast<double>(threads) / rps);
    std::vector<std::thread> workers;
    for (long long t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        std::mt19937_64 rng(seed * 1000 + static_cast<std::uint64_t>(t));
        std::vector<std::unique_ptr<LoopbackHttpClient>> clients;
        for (const auto& target : targets) {
          clients.push_back(std::make_unique<LoopbackHttpClient>(target.host, target.port));
        }
        auto next = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                interval * (static_cast<double>(t) / static_cast<double>(threads)));
        for (std::size_t i = 0;; ++i) {
          if (next >= end) break;
          std::this_thread::sleep_until(next);
          if (g_paused) {
            while (g_paused && std::chrono::steady_clock::now() < end) {
              std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            next = std::chrono::steady_clock::now();  // resume at the rate, not with a burst
            if (next >= end) break;
          }
          next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
          const std::size_t which = i % targets.size();
          const std::string user = "user-" + std::to_string(zipf(rng));
          const auto req =
              loadgen::NextRequest(targets[which].service, user, rng, known, not_found_pct / 100);
          const HttpResult r =
              clients[which]->Request(req.method, req.target, req.body,
                                      {{"X-User-Id", user}, {"Content-Type", "application/json"}});
          known.Record(req, r.status, r.body);
          tally.Add(targets[which].name, r.status, user);
        }
      });
    }
    // The stats file is rewritten every second until the workers are done, then once more.
    std::mutex done_mu;
    std::condition_variable done_cv;
    bool done = false;
    std::thread reporter;
    if (!stats_file.empty()) {
      reporter = std::thread([&] {
        std::unique_lock<std::mutex> lock(done_mu);
        while (!done_cv.wait_for(lock, std::chrono::seconds(1), [&] { return done; })) {
          WriteStats(stats_file, tally.Json(elapsed()));
        }
      });
    }
    for (auto& w : workers) w.join();
    {
      std::lock_guard<std::mutex> lock(done_mu);
      done = true;
    }
    done_cv.notify_all();
    if (reporter.joinable()) reporter.join();
    const double total = elapsed();
    if (!stats_file.empty()) WriteStats(stats_file, tally.Json(total));
    tally.Print(std::cout, total);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "pulse-demo-loadgen: " << e.what() << "\n(see pulse-demo-loadgen --help)"
              << std::endl;
    return 2;
  }
}
