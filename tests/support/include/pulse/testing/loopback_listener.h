// A TCP socket on 127.0.0.1 bound to port 0, so the kernel picks a free port and the socket holds
// it for the object's lifetime. This replaces "pick a free port, close it, hope nobody takes it
// before we use it" — a race when tests run in parallel.
//
// Listening (the default) it accepts connections; bound but not listening (Mode::kRefuse) every
// connection attempt is refused, which makes a reliable "nothing listens here" port.
// Not thread-safe, except that Close() may be called while another thread is blocked in Accept().
#pragma once

#include <chrono>

namespace pulse::testing {

class LoopbackListener {
 public:
  enum class Mode { kListen, kRefuse };
  explicit LoopbackListener(Mode mode = Mode::kListen, int backlog = 64);  // throws on failure
  ~LoopbackListener();
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int port() const { return port_; }
  int fd() const { return fd_; }
  // One accepted connection's fd (the caller closes it), or -1 after `timeout` or Close().
  int Accept(std::chrono::milliseconds timeout);
  // Stops listening; a blocked Accept returns -1. Idempotent.
  void Close();

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Connects to 127.0.0.1:port; returns the fd, or -1 (errno set) when refused.
int ConnectLoopback(int port);

}  // namespace pulse::testing
