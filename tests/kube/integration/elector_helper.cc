// A tiny leader-election candidate process for leader_election_test.cc. Prints
//   LEADING <id> <unix-ms>   when it becomes leader
//   STOPPED <id> <unix-ms>   when it stops leading
// and exits on SIGTERM/SIGINT after releasing the Lease.
//   kube_elector_helper KUBECONFIG NAMESPACE LEASE ID LEASE_MS RENEW_MS RETRY_MS
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "pulse/kube/config.h"
#include "pulse/kube/leader_elector.h"
#include "pulse/kube/rest_client.h"

namespace {
pulse::base::Stopper* g_stop = nullptr;
volatile std::sig_atomic_t g_signalled = 0;
void OnSignal(int) { g_signalled = 1; }

long long NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: %s KUBECONFIG NAMESPACE LEASE ID LEASE_MS RENEW_MS RETRY_MS\n",
                 argv[0]);
    return 2;
  }
  using std::chrono::milliseconds;
  pulse::kube::Client client(pulse::kube::LoadKubeconfig(argv[1]));
  pulse::kube::KubeLeaseLock lock(client, argv[2], argv[3]);
  pulse::base::RealClock clock;
  pulse::base::Stopper stop;
  g_stop = &stop;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  // Signal handlers may not lock; a watcher thread turns the flag into Stop().
  std::thread watcher([&] {
    while (!g_signalled && !stop.stopped()) std::this_thread::sleep_for(milliseconds(20));
    stop.Stop();
  });
  const std::string id = argv[4];
  pulse::kube::LeaderElectionConfig cfg;
  cfg.identity = id;
  cfg.lease_duration = milliseconds(std::stoll(argv[5]));
  cfg.renew_deadline = milliseconds(std::stoll(argv[6]));
  cfg.retry_period = milliseconds(std::stoll(argv[7]));
  cfg.on_started_leading = [&] {
    std::printf("LEADING %s %lld\n", id.c_str(), NowMs());
    std::fflush(stdout);
  };
  cfg.on_stopped_leading = [&] {
    std::printf("STOPPED %s %lld\n", id.c_str(), NowMs());
    std::fflush(stdout);
  };
  pulse::kube::LeaderElector elector(cfg, lock, clock);
  // Lost leadership (not stopped): campaign again, as an operator restarted by its Deployment.
  while (!stop.stopped()) elector.Run(stop);
  watcher.join();
  return 0;
}
