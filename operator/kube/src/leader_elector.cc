#include "pulse/kube/leader_elector.h"

#include <random>
#include <stdexcept>

namespace pulse::kube {
namespace {

int Seconds(std::chrono::milliseconds d) {
  return static_cast<int>(std::max<long long>(1, (d.count() + 999) / 1000));
}

}  // namespace

LeaderElector::LeaderElector(LeaderElectionConfig config, LeaseLock& lock, base::Clock& clock)
    : config_(std::move(config)), lock_(lock), clock_(clock) {
  if (config_.identity.empty()) throw std::invalid_argument("leader election: identity is empty");
  if (!(config_.retry_period.count() > 0 && config_.retry_period < config_.renew_deadline &&
        config_.renew_deadline < config_.lease_duration)) {
    throw std::invalid_argument(
        "leader election: need 0 < retry_period < renew_deadline < lease_duration");
  }
}

std::string LeaderElector::ObservedLeader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return observed_ ? observed_->holder : std::string();
}

bool LeaderElector::TryAcquireOrRenew() {
  const auto wall = clock_.WallNow();
  std::string rv;
  std::optional<LeaseRecord> current = lock_.Get(&rv);
  LeaseRecord want;
  want.holder = config_.identity;
  want.lease_duration_seconds = Seconds(config_.lease_duration);
  want.acquire_time = wall;
  want.renew_time = wall;
  if (!current) {
    if (!lock_.Create(want)) return false;
    std::lock_guard<std::mutex> lock(mu_);
    observed_ = want;
    observed_at_ = clock_.Now();
    return true;
  }
  std::string previous_holder;
  {
    std::lock_guard<std::mutex> lock(mu_);
    previous_holder = observed_ ? observed_->holder : "";
    // The record changed since we last looked: that is the moment its holder was alive.
    if (!observed_ || !(*observed_ == *current)) {
      observed_ = *current;
      observed_at_ = clock_.Now();
    }
    const auto duration =
        std::chrono::seconds(current->lease_duration_seconds > 0 ? current->lease_duration_seconds
                                                                 : Seconds(config_.lease_duration));
    if (!current->holder.empty() && current->holder != config_.identity &&
        observed_at_ + duration > clock_.Now()) {
      if (current->holder != previous_holder && config_.on_new_leader) {
        config_.on_new_leader(current->holder);
      }
      return false;  // held by someone alive
    }
  }
  if (current->holder == config_.identity) {
    want.acquire_time = current->acquire_time;
    want.lease_transitions = current->lease_transitions;
  } else {
    want.lease_transitions = current->lease_transitions + 1;
  }
  if (!lock_.Update(want, rv)) return false;
  std::lock_guard<std::mutex> lock(mu_);
  observed_ = want;
  observed_at_ = clock_.Now();
  return true;
}

bool LeaderElector::Release() {
  std::string rv;
  std::optional<LeaseRecord> current = lock_.Get(&rv);
  if (!current || current->holder != config_.identity) return true;
  LeaseRecord released = *current;
  released.holder.clear();
  released.lease_duration_seconds = 1;
  released.renew_time = clock_.WallNow();
  return lock_.Update(released, rv);
}

void LeaderElector::Run(base::Stopper& stop) {
  std::mt19937 rng{std::random_device{}()};
  // Candidates retry at retry_period * [1, 1.2) so they do not hit the Lease in lockstep.
  std::uniform_real_distribution<double> jitter(1.0, 1.2);
  auto attempt = [&] {
    try {
      return TryAcquireOrRenew();
    } catch (const std::exception&) {
      return false;  // API unreachable: same as not renewed
    }
  };
  while (!attempt()) {
    if (clock_.Sleep(std::chrono::duration_cast<std::chrono::nanoseconds>(config_.retry_period *
                                                                          jitter(rng)),
                     stop)) {
      return;
    }
  }
  leading_ = true;
  if (config_.on_new_leader) config_.on_new_leader(config_.identity);
  if (config_.on_started_leading) config_.on_started_leading();
  auto last_renew = clock_.Now();
  while (true) {
    if (clock_.Sleep(config_.retry_period, stop)) break;
    if (attempt()) {
      last_renew = clock_.Now();
      continue;
    }
    if (clock_.Now() - last_renew >= config_.renew_deadline) break;  // step down
  }
  leading_ = false;
  if (stop.stopped() && config_.release_on_stop) {
    try {
      Release();
    } catch (const std::exception&) {
      // The lease then simply expires.
    }
  }
  if (config_.on_stopped_leading) config_.on_stopped_leading();
}

}  // namespace pulse::kube
