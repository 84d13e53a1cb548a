// A test-and-test-and-set spin lock for critical sections of a few dozen nanoseconds.
//
// std::mutex costs a futex round trip once contended; the top-K update holds its lock for far
// less than that, so spinning (with a pause, then yielding in case the holder was preempted on
// this 2-core class of machine) is cheaper. Thread-safe by definition; not recursive.
#pragma once

#include <atomic>
#include <thread>

namespace pulse::red::internal {

class SpinLock {
 public:
  void lock() noexcept {
    for (unsigned spins = 0;; ++spins) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins > 64) {
          std::this_thread::yield();
          spins = 0;
        } else {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
        }
      }
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace pulse::red::internal
