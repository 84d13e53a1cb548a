// The stop-signal waiter: a SIGTERM/SIGINT sent to the whole process ends Wait(), whichever
// thread the kernel picks, because every thread blocks the signals.
#include "pulse/serve/signal_waiter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace pulse::serve {
namespace {

TEST(SignalWaiter, ReturnsOnSigtermSentToTheProcess) {
  SignalWaiter waiter;
  // Started after the waiter: inherits the blocked mask, as a server's workers would.
  std::atomic<bool> worker_alive{true};
  std::thread worker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(::getpid(), SIGTERM);
    worker_alive = false;
  });
  EXPECT_EQ(waiter.Wait(), SIGTERM);
  worker.join();
  EXPECT_FALSE(worker_alive.load());
}

TEST(SignalWaiter, ReturnsOnAPendingSigint) {
  SignalWaiter waiter;
  ASSERT_EQ(::raise(SIGINT), 0);  // blocked, so pending until Wait takes it
  EXPECT_EQ(waiter.Wait(), SIGINT);
}

TEST(SignalWaiter, NamesTheSignals) {
  EXPECT_STREQ(SignalWaiter::Name(SIGTERM), "SIGTERM");
  EXPECT_STREQ(SignalWaiter::Name(SIGINT), "SIGINT");
  EXPECT_STREQ(SignalWaiter::Name(SIGHUP), "another signal");
}

}  // namespace
}  // namespace pulse::serve
