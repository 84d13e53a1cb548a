// A small plain-HTTP/1.1 server for faults the real API server never produces (truncated JSON,
// multi-MB watch lines, unknown event types, 500/429 storms, non-HTTP garbage). Each connection
// serves one request and closes. The handler runs on a thread per connection. Thread-safe.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pulse/testing/loopback_listener.h"

namespace pulse::kube::testing {

class FaultConnection {
 public:
  FaultConnection(int fd, const std::atomic<bool>& stop) : fd_(fd), stop_(stop) {}
  bool Write(const std::string& data) {
    for (size_t off = 0; off < data.size();) {
      const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // A complete response with Content-Length.
  void Respond(int status, const std::string& body, const std::string& extra_headers = "") {
    Write("HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
          extra_headers + "Content-Length: " + std::to_string(body.size()) +
          "\r\nConnection: close\r\n\r\n" + body);
  }
  // Starts a chunked 200 response; then Chunk() lines; End() finishes it.
  void StartStream() {
    Write(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n");
  }
  bool Chunk(const std::string& data) {
    char len[32];
    std::snprintf(len, sizeof(len), "%zx\r\n", data.size());
    return Write(len + data + "\r\n");
  }
  void End() { Write("0\r\n\r\n"); }
  // Keeps the connection open (as an idle watch) until the server stops or `d` passes.
  void Hold(std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stop_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  int fd_;
  const std::atomic<bool>& stop_;
};

struct FaultRequest {
  std::string method;
  std::string path;  // with query
  std::string body;
  bool IsWatch() const { return path.find("watch=true") != std::string::npos; }
};

class FaultServer {
 public:
  using Handler = std::function<void(const FaultRequest&, FaultConnection&)>;

  explicit FaultServer(Handler handler) : handler_(std::move(handler)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~FaultServer() {
    stop_ = true;
    thread_.join();
    for (auto& t : connections_) t.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(listener_.port()); }
  int requests() const { return requests_.load(); }
  std::vector<FaultRequest> log() const {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }

 private:
  void Loop() {
    while (!stop_) {
      const int fd = listener_.Accept(std::chrono::milliseconds(50));
      if (fd < 0) continue;
      connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    std::string data;
    char buf[8192];
    size_t header_end = std::string::npos;
    while (header_end == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (stop_ || ::poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
      header_end = data.find("\r\n\r\n");
    }
    if (header_end != std::string::npos) {
      FaultRequest req;
      const auto sp1 = data.find(' ');
      const auto sp2 = data.find(' ', sp1 + 1);
      req.method = data.substr(0, sp1);
      req.path = data.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t content_length = 0;
      const auto cl = data.find("Content-Length: ");
      if (cl != std::string::npos && cl < header_end) {
        content_length = std::stoul(data.substr(cl + 16));
      }
      while (data.size() < header_end + 4 + content_length) {
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
      }
      req.body = data.substr(header_end + 4);
      ++requests_;
      {
        std::lock_guard<std::mutex> lock(mu_);
        log_.push_back(req);
      }
      FaultConnection conn(fd, stop_);
      handler_(req, conn);
    }
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }

  Handler handler_;
  pulse::testing::LoopbackListener listener_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  std::vector<FaultRequest> log_;
  std::thread thread_;
  std::vector<std::thread> connections_;
};

}  // namespace pulse::kube::testing
