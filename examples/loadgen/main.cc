// pulse-demo-loadgen: drives the demo services with many Zipf-distributed users at a target rate
// for a bounded time, then prints what it sent and what came back.
//   --target NAME=HOST:PORT   (repeatable as a comma list: shop=127.0.0.1:8081,crm=...)
//   --rps N (total, default 50)  --duration-s N (default 30, at most 86400)
//   --users N (default 100000)  --zipf S (default 1.1)  --threads N (default 4)  --seed N
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
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

}  // namespace

int main(int argc, char** argv) {
  try {
    const Flags flags(argc, argv,
                      {"target", "rps", "duration-s", "users", "zipf", "threads", "seed"});
    const std::vector<Target> targets = ParseTargets(flags.Get("target"));
    const double rps = flags.GetDouble("rps", 50);
    const long long duration_s = flags.GetInt("duration-s", 30);
    const long long users = flags.GetInt("users", 100000);
    const double zipf_s = flags.GetDouble("zipf", 1.1);
    const long long threads = flags.GetInt("threads", 4);
    if (rps <= 0 || rps > 1e6) throw std::invalid_argument("--rps must be in (0, 1e6]");
    if (duration_s <= 0 || duration_s > 86400)
      throw std::invalid_argument("--duration-s: 1..86400");
    if (users <= 0 || users > 10'000'000) throw std::invalid_argument("--users: 1..10000000");
    if (zipf_s < 0 || zipf_s > 5) throw std::invalid_argument("--zipf: 0..5");
    if (threads <= 0 || threads > 256) throw std::invalid_argument("--threads: 1..256");
    const auto seed = static_cast<std::uint64_t>(flags.GetInt("seed", 1));

    const pulse::red::testing::Zipf zipf(static_cast<std::size_t>(users), zipf_s);
    std::mutex mu;
    std::map<std::string, std::map<int, long long>> statuses;  // target → status → count
    std::atomic<long long> sent{0};
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::seconds(duration_s);
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
        std::map<std::string, std::map<int, long long>> local;
        auto next = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                interval * (static_cast<double>(t) / static_cast<double>(threads)));
        for (std::size_t i = 0;; ++i) {
          if (next >= end) break;
          std::this_thread::sleep_until(next);
          next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
          const std::size_t which = i % targets.size();
          const std::string user = "user-" + std::to_string(zipf(rng));
          const auto req = loadgen::NextRequest(targets[which].service, user, rng);
          const HttpResult r =
              clients[which]->Request(req.method, req.target, req.body,
                                      {{"X-User-Id", user}, {"Content-Type", "application/json"}});
          ++local[targets[which].name][r.status];
          ++sent;
        }
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& [name, m] : local) {
          for (const auto& [status, n] : m) statuses[name][status] += n;
        }
      });
    }
    for (auto& w : workers) w.join();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "sent " << sent.load() << " requests in " << elapsed << " s ("
              << static_cast<double>(sent.load()) / elapsed << " rps)\n";
    for (const auto& [name, m] : statuses) {
      std::cout << name << ":";
      for (const auto& [status, n] : m) {
        std::cout << " " << (status == 0 ? std::string("no-response") : std::to_string(status))
                  << "=" << n;
      }
      std::cout << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "pulse-demo-loadgen: " << e.what() << std::endl;
    return 2;
  }
}
