// Graceful stop for pulse daemons without async signal handlers: SIGTERM and SIGINT are blocked
// in every thread and the main thread waits for one with sigwait, then shuts down in order.
//
//   int main() {
//     pulse::serve::SignalWaiter stop_signals;  // first, before any thread is started
//     ... start threads, servers ...
//     const int sig = stop_signals.Wait();      // blocks until SIGTERM/SIGINT
//     ... stop servers, join threads ...
//   }
//
// Threads inherit the signal mask of the thread that creates them, so a thread started before
// the waiter would still receive (and die of) the signal: construct it first.
// Thread-safety: construct and destroy on one thread; Wait from any one thread.
#pragma once

#include <signal.h>

namespace pulse::serve {

class SignalWaiter {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread (and so in every thread it starts later).
  SignalWaiter();
  // Restores the calling thread's previous signal mask.
  ~SignalWaiter();
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

  // Blocks until SIGTERM or SIGINT is delivered (or was already pending); returns its number.
  int Wait();

  // "SIGTERM", "SIGINT", or "another signal".
  static const char* Name(int signal_number);

 private:
  sigset_t stop_signals_;
  sigset_t previous_;
};

}  // namespace pulse::serve
