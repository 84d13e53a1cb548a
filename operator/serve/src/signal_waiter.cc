#include "pulse/serve/signal_waiter.h"

#include <pthread.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace pulse::serve {

SignalWaiter::SignalWaiter() {
  sigemptyset(&stop_signals_);
  sigaddset(&stop_signals_, SIGTERM);
  sigaddset(&stop_signals_, SIGINT);
  if (const int rc = pthread_sigmask(SIG_BLOCK, &stop_signals_, &previous_); rc != 0) {
    throw std::runtime_error(std::string("pthread_sigmask: ") + std::strerror(rc));
  }
}

SignalWaiter::~SignalWaiter() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

int SignalWaiter::Wait() {
  while (true) {
    int signal_number = 0;
    const int rc = sigwait(&stop_signals_, &signal_number);
    if (rc == 0) return signal_number;
    if (rc != EINTR) throw std::runtime_error(std::string("sigwait: ") + std::strerror(rc));
  }
}

const char* SignalWaiter::Name(int signal_number) {
  switch (signal_number) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    default:
      return "another signal";
  }
}

}  // namespace pulse::serve
