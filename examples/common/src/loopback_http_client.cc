#include "pulse/demo/loopback_http_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pulse::demo {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

LoopbackHttpClient::LoopbackHttpClient(std::string host, int port,
                                       std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

LoopbackHttpClient::~LoopbackHttpClient() { Close(); }

void LoopbackHttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool LoopbackHttpClient::Connect(std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &res);
  if (rc != 0) {
    *error = host_ + ": " + gai_strerror(rc);
    return false;
  }
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout_.count() % 1000) * 1000);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      fd_ = fd;
      freeaddrinfo(res);
      return true;
    }
    *error = host_ + ":" + std::to_string(port_) + ": " + std::strerror(errno);
    ::close(fd);
  }
  freeaddrinfo(res);
  if (error->empty()) *error = host_ + ":" + std::to_string(port_) + ": no address";
  return false;
}

HttpResult LoopbackHttpClient::Request(const std::string& method, const std::string& target,
                                       const std::string& body,
                                       const std::map<std::string, std::string>& headers) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + host_ + ":" +
                    std::to_string(port_) + "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "\r\n";
  req += body;
  const bool reused = fd_ >= 0;
  const bool head = method == "HEAD";
  HttpResult r = RoundTrip(req, head);
  if (r.status == 0 && reused) r = RoundTrip(req, head);  // the kept-alive connection had closed
  return r;
}

HttpResult LoopbackHttpClient::RoundTrip(const std::string& request, bool head_request) {
  HttpResult r;
  if (fd_ < 0 && !Connect(&r.error)) return r;
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      r.error = "send: " + std::string(std::strerror(errno));
      Close();
      return r;
    }
    sent += static_cast<std::size_t>(n);
  }
  auto fill = [&]() -> bool {
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (buffer_.size() > (1u << 20) || !fill()) {
      r.error = buffer_.empty() ? "connection closed without a response" : "truncated headers";
      Close();
      return r;
    }
  }
  const std::string head = buffer_.substr(0, head_end);
  buffer_.erase(0, head_end + 4);
  // Status line: HTTP/1.x NNN reason
  if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) {
    r.error = "malformed status line";
    Close();
    return r;
  }
  r.status = std::atoi(head.c_str() + 9);
  std::size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos + 2 < head.size()) {
    const std::size_t next = head.find("\r\n", pos + 2);
    const std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      r.headers[Lower(line.substr(0, colon))] = v;
    }
    pos = next;
  }
  const bool close_after = Lower(r.headers["connection"]) == "close";
  if (head_request) {  // a HEAD response has no body whatever its Content-Length says
    if (close_after) Close();
    return r;
  }
  if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
    const std::size_t len = std::stoull(it->second);
    while (buffer_.size() < len) {
      if (!fill()) {
        r.error = "truncated body";
        r.status = 0;
        Close();
        return r;
      }
    }
    r.body = buffer_.substr(0, len);
    buffer_.erase(0, len);
  } else if (Lower(r.headers["transfer-encoding"]) == "chunked") {
    for (;;) {
      std::size_t eol;
      while ((eol = buffer_.find("\r\n")) == std::string::npos) {
        if (!fill()) {
          r.error = "truncated chunk";
          r.status = 0;
          Close();
          return r;
        }
      }
      const std::size_t size = std::stoull(buffer_.substr(0, eol), nullptr, 16);
      buffer_.erase(0, eol + 2);
      while (buffer_.size() < size + 2) {
        if (!fill()) {
          r.error = "truncated chunk";
          r.status = 0;
          Close();
          return r;
        }
      }
      r.body += buffer_.substr(0, size);
      buffer_.erase(0, size + 2);
      if (size == 0) break;
    }
  } else {
    while (fill()) {
    }
    r.body = std::move(buffer_);
    Close();
    return r;
  }
  if (close_after) Close();
  return r;
}

}  // namespace pulse::demo
