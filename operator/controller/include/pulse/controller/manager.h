// The Manager (controller-runtime's noun): runs the informers, the metrics/health server and,
// once this replica leads, the controllers.
//
//   Run(stop):
//     serve /metrics, /healthz, /readyz      (readyz: informers synced; leader or standby alike)
//     start every informer                   (standbys keep warm caches for a fast takeover)
//     leader election on a Lease             (off: lead at once)
//       on_started_leading -> start controllers, pulse_operator_leader = 1
//       on_stopped_leading -> stop controllers, pulse_operator_leader = 0, Run returns
//     stop fired -> stop controllers (drain), release the Lease, stop informers, return
//
// Losing the lease ends Run (as controller-runtime exits): a replica that lost it cannot know
// what the new leader has done, so the process restarts with clean state.
//
// Thread-safety: Add* before Run; Run once on one thread; `stop.Stop()` from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pulse/base/clock.h"

namespace prometheus {
class Registry;
}

namespace pulse::kube {
class Client;
class Informer;
}  // namespace pulse::kube

namespace pulse::controller {

class Controller;

struct LeaderElectionOptions {
  bool enabled = true;
  std::string namespace_ = "pulse-system";
  std::string lease_name = "pulse-operator";
  std::string identity;  // default: host name + "_" + pid
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
};

struct ManagerOptions {
  // MetricsServer listen addresses. When health_address is empty or equal to metrics_address,
  // one server answers /metrics, /healthz and /readyz.
  std::string metrics_address = "0.0.0.0:8080";
  std::string health_address;
  LeaderElectionOptions leader_election;
};

enum class RunOutcome { kStopped, kLostLeadership };

class Manager {
 public:
  // `client` (for the Lease), `registry` and `clock` must outlive the manager.
  Manager(ManagerOptions options, const kube::Client& client,
          std::shared_ptr<prometheus::Registry> registry,
          base::Clock& clock = base::DefaultClock());
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  void AddInformer(kube::Informer& informer);
  void AddController(Controller& controller);

  // Blocks until `stop` fires or leadership is lost. Throws std::runtime_error when a listen
  // address cannot be bound.
  RunOutcome Run(base::Stopper& stop);

  // True once every informer has synced (what /readyz reports).
  bool CachesSynced() const;
  bool IsLeader() const;
  // The bound ports of the metrics server (then the health server, when separate); for tests.
  std::vector<int> Ports() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pulse::controller
