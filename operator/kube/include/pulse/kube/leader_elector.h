// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does:
//  - a candidate takes the Lease when it does not exist, is released (no holder), or its holder
//    has not renewed it for leaseDurationSeconds *as observed on our own clock* (no trust in
//    the other replica's wall clock);
//  - the leader renews every retry_period; when no renewal succeeded for renew_deadline it
//    steps down (on_stopped_leading) — before the lease can expire for the others, since
//    renew_deadline < lease_duration;
//  - on a clean stop the leader releases the Lease (empty holder) so a successor need not wait.
// Writes are optimistic-concurrency updates (resourceVersion), so two candidates cannot both win.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "pulse/base/clock.h"

namespace pulse::kube {

class Client;

// The Lease fields election uses.
struct LeaseRecord {
  std::string holder;
  int lease_duration_seconds = 0;
  std::chrono::system_clock::time_point acquire_time{};
  std::chrono::system_clock::time_point renew_time{};
  int lease_transitions = 0;
  bool operator==(const LeaseRecord&) const = default;
};

// Where the Lease lives. Implementations must be thread-safe.
class LeaseLock {
 public:
  virtual ~LeaseLock() = default;
  // nullopt when the lease does not exist; *resource_version receives its version.
  virtual std::optional<LeaseRecord> Get(std::string* resource_version) = 0;
  // false when someone else created it first.
  virtual bool Create(const LeaseRecord& record) = 0;
  // false on a resourceVersion conflict.
  virtual bool Update(const LeaseRecord& record, const std::string& resource_version) = 0;
  virtual std::string Describe() const = 0;
};

// The real lock: a Lease object through the REST client. Other API errors are thrown. Its
// requests are not retried by the client: the elector retries every retry_period on its own, and
// a request that kept retrying could carry a leader past its renew deadline unaware.
class KubeLeaseLock final : public LeaseLock {
 public:
  KubeLeaseLock(const Client& client, std::string ns, std::string name);
  ~KubeLeaseLock() override;
  std::optional<LeaseRecord> Get(std::string* resource_version) override;
  bool Create(const LeaseRecord& record) override;
  bool Update(const LeaseRecord& record, const std::string& resource_version) override;
  std::string Describe() const override { return ns_ + "/" + name_; }

 private:
  std::unique_ptr<Client> client_;  // the caller's, without retries
  std::string ns_;
  std::string name_;
};

struct LeaderElectionConfig {
  std::string identity;  // unique per replica, e.g. pod name
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  bool release_on_stop = true;
  // Called on the elector's thread; keep them short (start/stop workers, not run them).
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string& holder)> on_new_leader;
};

// Thread-safe: Run() on one thread, the accessors and `stop.Stop()` from any.
class LeaderElector {
 public:
  // Throws std::invalid_argument unless retry_period < renew_deadline < lease_duration and
  // identity is set.
  LeaderElector(LeaderElectionConfig config, LeaseLock& lock, base::Clock& clock);

  // Blocks: campaigns until leader (or stopped), leads until a renewal deadline is missed or
  // `stop` fires, then calls on_stopped_leading (if it had started) and returns. Run once.
  void Run(base::Stopper& stop);
  // One attempt (public for unit tests): true when we hold the lease afterwards.
  bool TryAcquireOrRenew();
  // Gives the lease up if we hold it. True when released (or not ours).
  bool Release();

  bool IsLeader() const { return leading_.load(); }
  std::string ObservedLeader() const;

 private:
  LeaderElectionConfig config_;
  LeaseLock& lock_;
  base::Clock& clock_;
  std::atomic<bool> leading_{false};
  mutable std::mutex mu_;
  std::optional<LeaseRecord> observed_;
  std::chrono::steady_clock::time_point observed_at_{};
};

}  // namespace pulse::kube
