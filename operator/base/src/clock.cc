#include "pulse/base/clock.h"

namespace pulse::base {

void Stopper::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

bool Stopper::stopped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopped_;
}

bool Stopper::WaitFor(std::chrono::nanoseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, d, [this] { return stopped_; });
}

ClockSubscription& ClockSubscription::operator=(ClockSubscription&& other) noexcept {
  if (this != &other) {
    Reset();
    cancel_ = std::move(other.cancel_);
    other.cancel_ = nullptr;
  }
  return *this;
}

void ClockSubscription::Reset() {
  if (cancel_) {
    auto cancel = std::move(cancel_);
    cancel_ = nullptr;
    cancel();
  }
}

Clock& DefaultClock() {
  // Never destroyed: objects with static storage may still use it during exit.
  static RealClock* const clock = new RealClock();
  return *clock;
}

std::chrono::steady_clock::time_point FakeClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(elapsed_));
}

std::chrono::system_clock::time_point FakeClock::WallNow() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wall_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed_);
}

bool FakeClock::Sleep(std::chrono::nanoseconds d, Stopper& stop) {
  if (stop.stopped()) return true;
  Advance(d);
  return stop.stopped();
}

ClockSubscription FakeClock::OnAdvance(std::function<void()> on_advance) {
  std::lock_guard<std::mutex> lock(subscribers_mu_);
  const std::uint64_t id = next_id_++;
  subscribers_.emplace(id, std::move(on_advance));
  return ClockSubscription([this, id] {
    std::lock_guard<std::mutex> lock(subscribers_mu_);
    subscribers_.erase(id);
  });
}

void FakeClock::Advance(std::chrono::nanoseconds d) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    elapsed_ += d;
  }
  std::lock_guard<std::mutex> lock(subscribers_mu_);
  for (auto& [id, fn] : subscribers_) fn();
}

}  // namespace pulse::base
