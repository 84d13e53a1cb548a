// Time as an interface, so leader election and backoff can be unit-tested without waiting, and
// a Stopper that interrupts sleeps on shutdown.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace pulse::kube {

// A one-shot stop signal that wakes sleepers at once. Thread-safe.
class Stopper {
 public:
  void Stop();
  bool stopped() const;
  // Sleeps up to `d` of real time; returns true when stopped (before or during the wait).
  bool WaitFor(std::chrono::nanoseconds d);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point Now() const = 0;
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
  // Returns true when `stop` fired (before or during the sleep).
  virtual bool Sleep(std::chrono::nanoseconds d, Stopper& stop) = 0;
};

class RealClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override {
    return std::chrono::steady_clock::now();
  }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::now();
  }
  bool Sleep(std::chrono::nanoseconds d, Stopper& stop) override { return stop.WaitFor(d); }
};

// For tests: time moves only when told to, and Sleep advances it instantly. Thread-safe.
class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override;
  std::chrono::system_clock::time_point WallNow() const override;
  bool Sleep(std::chrono::nanoseconds d, Stopper& stop) override;
  void Advance(std::chrono::nanoseconds d);

 private:
  mutable std::mutex mu_;
  std::chrono::nanoseconds elapsed_{0};
  const std::chrono::system_clock::time_point wall_start_{
      std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
};

}  // namespace pulse::kube
