#include "pulse/controller/manager.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <optional>

#include "pulse/base/log.h"
#include "pulse/controller/controller.h"
#include "pulse/kube/informer.h"
#include "pulse/kube/leader_elector.h"
#include "pulse/serve/metrics_server.h"

namespace pulse::controller {

struct Manager::State {
  ManagerOptions options;
  const kube::Client& client;
  std::shared_ptr<prometheus::Registry> registry;
  base::Clock& clock;
  std::vector<kube::Informer*> informers;
  std::vector<Controller*> controllers;
  prometheus::Gauge* leader_gauge = nullptr;
  std::atomic<bool> leader{false};
  mutable std::mutex mu;  // guards servers
  std::vector<std::unique_ptr<serve::MetricsServer>> servers;

  State(ManagerOptions o, const kube::Client& c, std::shared_ptr<prometheus::Registry> r,
        base::Clock& cl)
      : options(std::move(o)), client(c), registry(std::move(r)), clock(cl) {}

  void StartControllers() {
    for (Controller* c : controllers) c->Start();
    leader = true;
    leader_gauge->Set(1);
  }
  void StopControllers() {
    for (Controller* c : controllers) c->Stop();
    leader = false;
    leader_gauge->Set(0);
  }
};

namespace {
std::string DefaultIdentity() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "pulse-operator") + "_" + std::to_string(::getpid());
}
}  // namespace

Manager::Manager(ManagerOptions options, const kube::Client& client,
                 std::shared_ptr<prometheus::Registry> registry, base::Clock& clock)
    : state_(std::make_unique<State>(std::move(options), client, std::move(registry), clock)) {
  state_->leader_gauge = &prometheus::BuildGauge()
                              .Name("pulse_operator_leader")
                              .Help("1 while this replica holds the leader Lease, else 0.")
                              .Register(*state_->registry)
                              .Add({});
}

Manager::~Manager() = default;

void Manager::AddInformer(kube::Informer& informer) { state_->informers.push_back(&informer); }
void Manager::AddController(Controller& controller) { state_->controllers.push_back(&controller); }

bool Manager::CachesSynced() const {
  for (const kube::Informer* i : state_->informers) {
    if (!i->HasSynced()) return false;
  }
  return true;
}

bool Manager::IsLeader() const { return state_->leader.load(); }

std::vector<int> Manager::Ports() const {
  std::lock_guard lock(state_->mu);
  std::vector<int> ports;
  for (const auto& s : state_->servers) {
    for (int p : s->ports()) ports.push_back(p);
  }
  return ports;
}

RunOutcome Manager::Run(base::Stopper& stop) {
  State& s = *state_;
  {
    // Ready = caches synced. A standby is ready too: it serves a warm cache and would lead at
    // once; gating readiness on leadership would make a rolling update wait for a lease.
    auto make = [&](const std::string& address, bool with_metrics) {
      serve::MetricsServerOptions o;
      o.listen = address;
      o.readiness_check = [this] { return CachesSynced(); };
      auto server = std::make_unique<serve::MetricsServer>(std::move(o));
      if (with_metrics) server->Register(s.registry);
      server->SetReady(true);
      return server;
    };
    std::lock_guard lock(s.mu);
    s.servers.push_back(make(s.options.metrics_address, true));
    if (!s.options.health_address.empty() &&
        s.options.health_address != s.options.metrics_address) {
      s.servers.push_back(make(s.options.health_address, false));
    }
  }
  for (kube::Informer* i : s.informers) i->Start();

  RunOutcome outcome = RunOutcome::kStopped;
  if (!s.options.leader_election.enabled) {
    s.StartControllers();
    while (!stop.WaitFor(std::chrono::hours(1))) {
    }
    s.StopControllers();
  } else {
    const LeaderElectionOptions& le = s.options.leader_election;
    kube::KubeLeaseLock lock(s.client, le.namespace_, le.lease_name);
    kube::LeaderElectionConfig config;
    const std::string identity = le.identity.empty() ? DefaultIdentity() : le.identity;
    config.identity = identity;
    config.lease_duration = le.lease_duration;
    config.renew_deadline = le.renew_deadline;
    config.retry_period = le.retry_period;
    config.release_on_stop = true;
    std::atomic<bool> led{false};
    config.on_started_leading = [&] {
      base::LogInfo("became leader", {{"lease", lock.Describe()}, {"identity", identity}});
      led = true;
      s.StartControllers();
    };
    config.on_stopped_leading = [&] {
      // Stop the workers before the elector releases the Lease, so no write of ours can
      // land after a successor has started.
      s.StopControllers();
      base::LogInfo("stopped leading", {{"lease", lock.Describe()}});
    };
    config.on_new_leader = [](const std::string& holder) {
      base::LogInfo("leader observed", {{"holder", holder}});
    };
    kube::LeaderElector elector(std::move(config), lock, s.clock);
    elector.Run(stop);
    if (!stop.stopped() && led.load()) outcome = RunOutcome::kLostLeadership;
    s.StopControllers();  // idempotent; covers a stop before leadership
  }
  for (kube::Informer* i : s.informers) i->Stop();
  {
    std::lock_guard lock(s.mu);
    s.servers.clear();
  }
  return outcome;
}

}  // namespace pulse::controller
