// A TCP forwarder for tests: sits between a client and the real API server (TLS passes through
// untouched) and can cut every connection and refuse new ones, to make a network partition the
// real server cannot make by itself. Thread-safe.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pulse/testing/loopback_listener.h"

namespace pulse::kube::testing {

class TcpProxy {
 public:
  explicit TcpProxy(int target_port) : target_port_(target_port) {
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~TcpProxy() {
    stop_ = true;
    Cut();
    accept_thread_.join();
    for (auto& t : pumps_) t.join();
  }
  int port() const { return listener_.port(); }

  // Closes every open connection; new ones are closed at once until Resume().
  void Cut() {
    cut_ = true;
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }
  void Resume() { cut_ = false; }
  int connections() const { return accepted_.load(); }

 private:
  void AcceptLoop() {
    while (!stop_) {
      const int client = listener_.Accept(std::chrono::milliseconds(100));
      if (client < 0) continue;
      if (cut_) {
        ::close(client);
        continue;
      }
      const int upstream = pulse::testing::ConnectLoopback(target_port_);
      if (upstream < 0) {
        ::close(client);
        continue;
      }
      ++accepted_;
      {
        std::lock_guard<std::mutex> lock(mu_);
        fds_.insert(client);
        fds_.insert(upstream);
      }
      pumps_.emplace_back([this, client, upstream] { Pump(client, upstream); });
    }
  }

  void Pump(int a, int b) {
    char buf[65536];
    pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    while (!stop_) {
      if (::poll(p, 2, 200) < 0) break;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        const ssize_t n = ::read(p[i].fd, buf, sizeof(buf));
        if (n <= 0) {
          closed = true;
          break;
        }
        const int out = p[1 - i].fd;
        for (ssize_t off = 0; off < n;) {
          const ssize_t w = ::write(out, buf + off, static_cast<size_t>(n - off));
          if (w <= 0) {
            closed = true;
            break;
          }
          off += w;
        }
      }
      if (closed) break;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      fds_.erase(a);
      fds_.erase(b);
    }
    ::close(a);
    ::close(b);
  }

  int target_port_;
  pulse::testing::LoopbackListener listener_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> cut_{false};
  std::atomic<int> accepted_{0};
  std::mutex mu_;
  std::set<int> fds_;
  std::thread accept_thread_;
  std::vector<std::thread> pumps_;
};

}  // namespace pulse::kube::testing
