// End-to-end load tool for scripts/bench/kube-informer-vs-kubectl.sh (not a unit benchmark):
//
//   kube_informer_load watch  KUBECONFIG NAMESPACE COUNT   informer until the store holds COUNT
//   kube_informer_load create KUBECONFIG NAMESPACE COUNT THREADS   create COUNT ConfigMaps
//
// `watch` prints "ready <unix-ms>" once synced, then "done <unix-ms> events=<n>
// cpu_s=<user+sys> maxrss_kb=<peak RSS>" when the store holds COUNT objects. `create` prints
// "start <unix-ms>" and "end <unix-ms>". Each mode runs in its own process so the informer's
// CPU and memory are measured alone.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "pulse/kube/config.h"
#include "pulse/kube/informer.h"
#include "pulse/kube/rest_client.h"

namespace {

long long NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Watch(const pulse::kube::Client& client, const std::string& ns, size_t count) {
  pulse::kube::Informer informer(client, pulse::kube::ConfigMaps(), ns);
  std::atomic<long long> events{0};
  std::mutex mu;
  std::condition_variable cv;
  informer.AddEventHandler(
      {[&](const pulse::kube::ObjectPtr&) {
         ++events;
         cv.notify_one();
       },
       [&](const pulse::kube::ObjectPtr&, const pulse::kube::ObjectPtr&) { ++events; }, nullptr});
  informer.Start();
  if (!informer.WaitForSync(std::chrono::seconds(60))) {
    std::fprintf(stderr, "not synced: %s\n", informer.LastError().c_str());
    return 1;
  }
  std::printf("ready %lld\n", NowMs());
  std::fflush(stdout);
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return informer.store().Size() >= count; });
  }
  const long long done = NowMs();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::printf("done %lld events=%lld cpu_s=%.3f maxrss_kb=%ld\n", done, events.load(), cpu,
              ru.ru_maxrss);
  std::fflush(stdout);
  informer.Stop();
  return 0;
}

int Create(const pulse::kube::Client& client, const std::string& ns, int count, int threads) {
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::printf("start %lld\n", NowMs());
  std::fflush(stdout);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        const std::string name = "bench-" + std::to_string(i);
        try {
          client.Create(
              pulse::kube::ConfigMaps(), ns,
              {{"apiVersion", "v1"},
               {"kind", "ConfigMap"},
               {"metadata", {{"name", name}, {"labels", {{"bench", "informer"}}}}},
               {"data", {{"index", std::to_string(i)}, {"payload", std::string(200, 'p')}}}});
        } catch (const std::exception& e) {
          if (++failed < 5) std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  std::printf("end %lld failed=%d\n", NowMs(), failed.load());
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: %s watch KUBECONFIG NAMESPACE COUNT\n"
                 "       %s create KUBECONFIG NAMESPACE COUNT THREADS\n",
                 argv[0], argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  pulse::kube::Client client(pulse::kube::LoadKubeconfig(argv[2]));
  if (mode == "watch") return Watch(client, argv[3], std::stoul(argv[4]));
  if (mode == "create" && argc == 6)
    return Create(client, argv[3], std::stoi(argv[4]), std::stoi(argv[5]));
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
