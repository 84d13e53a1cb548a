// Time as an input: code that waits, delays or measures takes a Clock&, so unit tests drive time
// with a FakeClock instead of sleeping. Also a Stopper, the one-shot stop signal that interrupts
// those waits on shutdown.
//
// Thread-safety: every class here is thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace pulse::base {

// A one-shot stop signal that wakes sleepers at once.
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

// Cancels a Clock::OnAdvance subscription when destroyed (or on Reset). Move-only.
class ClockSubscription {
 public:
  ClockSubscription() = default;
  explicit ClockSubscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  ~ClockSubscription() { Reset(); }
  ClockSubscription(ClockSubscription&& other) noexcept : cancel_(std::move(other.cancel_)) {
    other.cancel_ = nullptr;
  }
  ClockSubscription& operator=(ClockSubscription&& other) noexcept;
  ClockSubscription(const ClockSubscription&) = delete;
  ClockSubscription& operator=(const ClockSubscription&) = delete;
  void Reset();

 private:
  std::function<void()> cancel_;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point Now() const = 0;
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
  // Returns true when `stop` fired (before or during the sleep).
  virtual bool Sleep(std::chrono::nanoseconds d, Stopper& stop) = 0;
  // Code that waits for a deadline on its own condition variable (the work queue) computes the
  // wait from Now(); a clock whose time can jump (FakeClock::Advance) must tell it to re-check.
  // `on_advance` is called after every jump, from the thread that advanced the clock, with no
  // clock lock held; it must not subscribe or unsubscribe. Real time never jumps, so the default
  // never calls it. The clock must outlive the subscription.
  [[nodiscard]] virtual ClockSubscription OnAdvance(std::function<void()> on_advance) {
    (void)on_advance;
    return {};
  }
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

// The process-wide real clock: the default for everything that takes a Clock&.
Clock& DefaultClock();

// For tests: time moves only when told to (Advance), and Sleep advances it instantly. Now()
// starts at the steady clock's epoch, WallNow() at 2026-01-01T00:00:00Z.
class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override;
  std::chrono::system_clock::time_point WallNow() const override;
  bool Sleep(std::chrono::nanoseconds d, Stopper& stop) override;
  ClockSubscription OnAdvance(std::function<void()> on_advance) override;
  // Moves time forward by `d` and then calls every OnAdvance subscriber.
  void Advance(std::chrono::nanoseconds d);

 private:
  mutable std::mutex mu_;  // guards elapsed_
  std::chrono::nanoseconds elapsed_{0};
  const std::chrono::system_clock::time_point wall_start_{
      std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
  // Held while subscribers run, so an unsubscribe waits for a running call to finish (the
  // subscriber's object may be destroyed right after). Never held together with mu_.
  std::mutex subscribers_mu_;
  std::map<std::uint64_t, std::function<void()>> subscribers_;
  std::uint64_t next_id_ = 0;
};

}  // namespace pulse::base
