// The event loop behind MetricsServer (design in the header and docs/serving.md).
#include "pulse/serve/metrics_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <prometheus/text_serializer.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "gzip_cache.h"
#include "pulse/red/process_collector.h"

namespace pulse::serve {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
// File descriptors kept free for the rest of the process when clamping max_connections.
constexpr int kFdReserve = 64;

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when a comma-separated header value lists `token` (case-insensitive), ignoring
// parameters; a token with q=0 counts as absent (RFC 9110, 12.4.2).
bool ListsToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    const std::size_t semi = item.find(';');
    if (!EqualsNoCase(Trim(item.substr(0, semi)), token)) continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = Trim(item.substr(semi + 1));
    if (params.size() >= 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=') {
      const std::string q(Trim(params.substr(2)));
      return std::strtod(q.c_str(), nullptr) > 0;
    }
    return true;
  }
  return false;
}

// What the loop needs from one request head.
struct Request {
  std::string_view method;
  std::string_view path;  // without the query
  bool http10 = false;
  bool connection_close = false;
  bool connection_keep_alive = false;
  bool gzip = false;
  bool has_body = false;  // Content-Length > 0 or Transfer-Encoding: never read, so close after
};

// Parses "METHOD SP TARGET SP HTTP/1.x CRLF (NAME: VALUE CRLF)*" (the final CRLF excluded).
bool ParseHead(std::string_view head, Request* r) {
  std::size_t eol = head.find("\r\n");
  const std::string_view line = head.substr(0, eol);
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == 0 || sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
  r->method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (version == "HTTP/1.0") {
    r->http10 = true;
  } else if (version != "HTTP/1.1") {
    return false;
  }
  r->path = target.substr(0, target.find('?'));
  while (eol != std::string_view::npos) {
    const std::size_t start = eol + 2;
    eol = head.find("\r\n", start);
    const std::string_view h =
        head.substr(start, eol == std::string_view::npos ? eol : eol - start);
    if (h.empty()) continue;
    const std::size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view name = h.substr(0, colon);
    const std::string_view value = Trim(h.substr(colon + 1));
    if (EqualsNoCase(name, "connection")) {
      r->connection_close |= ListsToken(value, "close");
      r->connection_keep_alive |= ListsToken(value, "keep-alive");
    } else if (EqualsNoCase(name, "accept-encoding")) {
      r->gzip |= ListsToken(value, "gzip");
    } else if (EqualsNoCase(name, "content-length")) {
      r->has_body |= value != "0";
    } else if (EqualsNoCase(name, "transfer-encoding")) {
      r->has_body = true;
    }
  }
  return true;
}

// One listening socket per "HOST:PORT" item, non-blocking, SO_REUSEADDR (a restarted process
// rebinds at once; two live servers on one port still conflict).
int Listen(const std::string& item) {
  std::string host;
  std::string port = item;
  if (!item.empty() && item.front() == '[') {
    const std::size_t close = item.find("]:");
    if (close == std::string::npos) throw std::runtime_error("bad address");
    host = item.substr(1, close - 1);
    port = item.substr(close + 2);
  } else if (const std::size_t colon = item.rfind(':'); colon != std::string::npos) {
    host = item.substr(0, colon);
    port = item.substr(colon + 1);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) throw std::runtime_error(::gai_strerror(rc));
  // Without a host, prefer IPv4 "every interface" (what civetweb's "PORT" meant).
  const addrinfo* use = found;
  for (const addrinfo* a = found; a != nullptr && host.empty(); a = a->ai_next) {
    if (a->ai_family == AF_INET) use = a;
  }
  const int fd = ::socket(use->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(found);
    throw std::runtime_error(std::strerror(errno));
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, use->ai_addr, use->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
    const int err = errno;
    ::freeaddrinfo(found);
    ::close(fd);
    throw std::runtime_error(std::strerror(err));
  }
  ::freeaddrinfo(found);
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
}

}  // namespace

struct MetricsServer::Impl {
  struct Conn {
    int fd = -1;
    bool writing = false;      // a response is queued; reading pauses until it is sent
    bool close_after = false;  // close once the response is sent
    bool idle = true;          // no byte of the next request yet (keep-alive or fresh)
    bool eof = false;          // the client half-closed after its request: answer, then close
    Clock::time_point deadline;
    std::string in;                           // request bytes not yet consumed
    std::string head;                         // response status line and headers
    std::shared_ptr<const std::string> body;  // shared: cached pages are not copied
    std::size_t sent = 0;                     // bytes of head+body written
  };

  MetricsServer* owner;
  const MetricsServerOptions& options;
  int max_connections;
  std::vector<int> listeners;
  std::vector<int> ports;
  int epoll_fd = -1;
  int wake_fd = -1;   // eventfd: the destructor's stop request
  int spare_fd = -1;  // held open so an EMFILE accept can still be taken and closed
  std::unordered_map<int, Conn> conns;
  Clock::time_point next_sweep = Clock::time_point::max();
  GzipCache gzip;
  std::thread thread;

  std::atomic<std::uint64_t> accepted{0}, refused{0}, requests{0}, timed_out{0}, open{0};

  Impl(MetricsServer* o, const MetricsServerOptions& opts) : owner(o), options(opts) {}

  ~Impl() {
    if (thread.joinable()) {
      const std::uint64_t one = 1;
      (void)!::write(wake_fd, &one, sizeof one);
      thread.join();
    }
    for (auto& [fd, c] : conns) ::close(fd);
    for (int fd : listeners) ::close(fd);
    if (wake_fd >= 0) ::close(wake_fd);
    if (epoll_fd >= 0) ::close(epoll_fd);
    if (spare_fd >= 0) ::close(spare_fd);
  }

  void Start() {
    rlimit nofile{};
    max_connections = std::max(1, options.max_connections);
    if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY) {
      max_connections = static_cast<int>(std::min<rlim_t>(
          static_cast<rlim_t>(max_connections),
          nofile.rlim_cur > kFdReserve * 2 ? nofile.rlim_cur - kFdReserve : nofile.rlim_cur / 2));
    }
    epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (epoll_fd < 0 || wake_fd < 0) throw std::runtime_error(std::strerror(errno));
    std::size_t pos = 0;
    while (pos <= options.listen.size()) {
      std::size_t comma = options.listen.find(',', pos);
      if (comma == std::string::npos) comma = options.listen.size();
      const std::string item(Trim(std::string_view{options.listen}.substr(pos, comma - pos)));
      pos = comma + 1;
      if (item.empty()) continue;
      listeners.push_back(Listen(item));
      ports.push_back(BoundPort(listeners.back()));
    }
    if (listeners.empty()) throw std::runtime_error("no address");
    Watch(wake_fd, EPOLLIN, EPOLL_CTL_ADD);
    for (int fd : listeners) Watch(fd, EPOLLIN, EPOLL_CTL_ADD);
    thread = std::thread([this] { Loop(); });
  }

  void Watch(int fd, std::uint32_t events, int op) const {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd, op, fd, &ev);
  }

  void SetDeadline(Conn& c, std::chrono::milliseconds in) {
    c.deadline = Clock::now() + in;
    next_sweep = std::min(next_sweep, c.deadline);
  }

  void Loop() {
    std::vector<epoll_event> events(256);
    for (;;) {
      int timeout_ms = -1;
      if (next_sweep != Clock::time_point::max()) {
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_sweep - Clock::now());
        timeout_ms = static_cast<int>(std::max<std::int64_t>(0, wait.count()));
      }
      const int n =
          ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), timeout_ms);
      if (n < 0 && errno != EINTR) return;
      for (int i = 0; i < n; ++i) {
        const int fd = events[static_cast<std::size_t>(i)].data.fd;
        const std::uint32_t ev = events[static_cast<std::size_t>(i)].events;
        if (fd == wake_fd) return;
        if (std::find(listeners.begin(), listeners.end(), fd) != listeners.end()) {
          Accept(fd);
          continue;
        }
        auto it = conns.find(fd);
        if (it == conns.end()) continue;
        if (it->second.writing ? (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0
                               : (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
          if (it->second.writing) {
            Write(it->second);
          } else {
            Read(it->second);
          }
        }
      }
      if (Clock::now() >= next_sweep) Sweep();
    }
  }

  // Closes every connection past its deadline and finds the next deadline.
  void Sweep() {
    const auto now = Clock::now();
    next_sweep = Clock::time_point::max();
    std::vector<int> expired;
    for (auto& [fd, c] : conns) {
      if (c.deadline <= now) {
        expired.push_back(fd);
      } else {
        next_sweep = std::min(next_sweep, c.deadline);
      }
    }
    for (int fd : expired) {
      Conn& c = conns[fd];
      ++timed_out;
      // A request started but not finished in time is told why (best effort, never waits);
      // an idle keep-alive connection or an unread response is simply closed.
      if (!c.writing && !c.idle) {
        const std::string r = Head(408, "text/plain", 8, true, false) + "timeout\n";
        (void)!::send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      }
      Close(fd);
    }
  }

  void Accept(int listener) {
    for (;;) {
      const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if ((errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
          // Out of descriptors: take the connection with the spare one and close it, so the
          // pending connection does not keep the listener readable (a busy loop).
          ::close(spare_fd);
          const int drop = ::accept(listener, nullptr, nullptr);
          if (drop >= 0) ::close(drop);
          spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
          ++accepted;
          ++refused;
          continue;
        }
        return;  // EAGAIN, or a transient error: epoll tells us when to try again
      }
      ++accepted;
      if (conns.size() >= static_cast<std::size_t>(max_connections)) {
        // A clear refusal instead of a silent queue: the client sees 503 at once.
        ++refused;
        const std::string r = Head(503, "text/plain", 17, true, false) + "too many clients\n";
        (void)!::send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        ::close(fd);
        continue;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      Conn& c = conns[fd];
      c.fd = fd;
      SetDeadline(c, options.request_timeout);
      Watch(fd, EPOLLIN, EPOLL_CTL_ADD);
      ++open;
    }
  }

  void Close(int fd) {
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    conns.erase(fd);
    --open;
  }

  void Read(Conn& c) {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n == 0 && c.in.find("\r\n\r\n") != std::string::npos) {
        c.eof = true;  // e.g. `printf 'GET ...' | nc`: the request is whole, answer it
        break;
      }
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        Close(c.fd);
        return;
      }
      if (n < 0) break;
      if (c.idle) {
        // The request deadline runs from its first byte.
        c.idle = false;
        SetDeadline(c, options.request_timeout);
      }
      // Never buffer more than a head can be (plus one read, to see it is too long).
      c.in.append(buf, static_cast<std::size_t>(n));
      if (c.in.size() > options.max_header_bytes + sizeof buf) break;
      if (static_cast<std::size_t>(n) < sizeof buf) break;
    }
    Process(c);
  }

  // Answers the request in c.in if its head is complete.
  void Process(Conn& c) {
    const std::size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos || end + 4 > options.max_header_bytes) {
      if (c.in.size() > options.max_header_bytes ||
          (end != std::string::npos && end + 4 > options.max_header_bytes)) {
        Respond(c, 431, "text/plain", std::make_shared<const std::string>("header too large\n"),
                false, true, false);
      }
      return;
    }
    Request r;
    const bool ok = ParseHead(std::string_view{c.in}.substr(0, end), &r);
    ++requests;
    if (!ok) {
      Respond(c, 400, "text/plain", std::make_shared<const std::string>("bad request\n"), false,
              true, false);
      return;
    }
    const bool head = r.method == "HEAD";
    bool close = c.eof || r.has_body || options.keep_alive_timeout.count() <= 0 ||
                 r.connection_close || (r.http10 && !r.connection_keep_alive);
    const bool known = r.path == "/metrics" || r.path == "/healthz" || r.path == "/readyz";
    int status = 200;
    const char* type = "text/plain";
    std::shared_ptr<const std::string> body;
    bool gzip = false;
    if (!known) {
      status = 404;
      body = std::make_shared<const std::string>("not found\n");
    } else if (r.method != "GET" && !head) {
      status = 405;
      body = std::make_shared<const std::string>("use GET\n");
      close = true;  // a body may follow that we do not read
    } else if (r.path == "/healthz") {
      body = std::make_shared<const std::string>("ok\n");
    } else if (r.path == "/readyz") {
      const bool ready = owner->ready();
      status = ready ? 200 : 503;
      body = std::make_shared<const std::string>(ready ? "ok\n" : "not ready\n");
    } else {
      type = kMetricsContentType;
      std::string page = owner->RenderMetrics();
      if (r.gzip) {
        body = this->gzip.Compress(page);
        gzip = true;
      } else {
        body = std::make_shared<const std::string>(std::move(page));
      }
    }
    c.in.erase(0, end + 4);
    Respond(c, status, type, std::move(body), head, close, r.path == "/metrics", gzip, r.http10);
  }

  std::string Head(int status, const char* type, std::size_t length, bool close, bool vary,
                   bool gzip = false, bool http10 = false) const {
    std::string h = "HTTP/1.1 ";
    h += std::to_string(status);
    h += ' ';
    h += Reason(status);
    h += "\r\nContent-Type: ";
    h += type;
    h += "\r\nContent-Length: ";
    h += std::to_string(length);
    h += "\r\nCache-Control: no-cache\r\n";
    if (gzip) h += "Content-Encoding: gzip\r\n";
    if (vary) h += "Vary: Accept-Encoding\r\n";
    if (status == 405) h += "Allow: GET, HEAD\r\n";
    if (close) {
      h += "Connection: close\r\n";
    } else if (http10) {
      h += "Connection: keep-alive\r\n";
    }
    h += "\r\n";
    return h;
  }

  void Respond(Conn& c, int status, const char* type, std::shared_ptr<const std::string> body,
               bool head_only, bool close, bool vary, bool gzip = false, bool http10 = false) {
    c.head = Head(status, type, body->size(), close, vary, gzip, http10);
    c.body = head_only ? nullptr : std::move(body);
    c.sent = 0;
    c.close_after = close;
    c.writing = true;
    SetDeadline(c, options.write_timeout);
    Watch(c.fd, EPOLLOUT, EPOLL_CTL_MOD);
    Write(c);
  }

  void Write(Conn& c) {
    const std::size_t total = c.head.size() + (c.body ? c.body->size() : 0);
    while (c.sent < total) {
      iovec iov[2];
      int count = 0;
      if (c.sent < c.head.size()) {
        iov[count++] = {c.head.data() + c.sent, c.head.size() - c.sent};
        if (c.body && !c.body->empty()) {
          iov[count++] = {const_cast<char*>(c.body->data()), c.body->size()};
        }
      } else {
        const std::size_t off = c.sent - c.head.size();
        iov[count++] = {const_cast<char*>(c.body->data()) + off, c.body->size() - off};
      }
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<std::size_t>(count);
      const ssize_t n = ::sendmsg(c.fd, &msg, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;  // EPOLLOUT
        Close(c.fd);
        return;
      }
      c.sent += static_cast<std::size_t>(n);
    }
    if (c.close_after) {
      // Half-close first: the client reads the whole response before it sees the end, even if
      // it sent bytes we never read (a plain close would reset the connection).
      ::shutdown(c.fd, SHUT_WR);
      Close(c.fd);
      return;
    }
    c.writing = false;
    c.body.reset();
    c.head.clear();
    c.idle = c.in.empty();
    SetDeadline(c, c.idle ? options.keep_alive_timeout : options.request_timeout);
    Watch(c.fd, EPOLLIN, EPOLL_CTL_MOD);
    if (!c.in.empty()) Process(c);  // a pipelined request already here
  }
};

MetricsServer::MetricsServer(MetricsServerOptions options) : options_(std::move(options)) {
  if (options_.process_metrics) {
    // Owned by the server itself; collectables_ holds it weakly like any other.
    static const auto process = std::make_shared<red::ProcessCollector>();
    collectables_.push_back(process);
  }
  impl_ = std::make_unique<Impl>(this, options_);
  try {
    impl_->Start();
  } catch (const std::exception& e) {
    impl_.reset();
    throw std::runtime_error("cannot serve metrics on " + options_.listen + ": " + e.what());
  }
}

MetricsServer::~MetricsServer() = default;

void MetricsServer::Register(std::weak_ptr<prometheus::Collectable> collectable) {
  std::lock_guard<std::mutex> lock(mu_);
  collectables_.push_back(std::move(collectable));
}

bool MetricsServer::ready() const {
  if (!ready_.load()) return false;
  return !options_.readiness_check || options_.readiness_check();
}

std::vector<int> MetricsServer::ports() const { return impl_->ports; }

MetricsServerStats MetricsServer::stats() const {
  MetricsServerStats s;
  s.accepted = impl_->accepted.load();
  s.refused = impl_->refused.load();
  s.requests = impl_->requests.load();
  s.timed_out = impl_->timed_out.load();
  s.open = impl_->open.load();
  s.gzip_compressed = impl_->gzip.compressed();
  s.gzip_reused = impl_->gzip.reused();
  return s;
}

std::string MetricsServer::RenderMetrics() const {
  std::string out = options_.page ? options_.page() : std::string();
  std::vector<std::shared_ptr<prometheus::Collectable>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& weak : collectables_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  // Collect outside the lock: a slow collector must not block Register.
  std::vector<prometheus::MetricFamily> families;
  for (const auto& c : live) {
    auto collected = c->Collect();
    families.insert(families.end(), std::make_move_iterator(collected.begin()),
                    std::make_move_iterator(collected.end()));
  }
  if (!families.empty()) out += prometheus::TextSerializer().Serialize(families);
  return out;
}

}  // namespace pulse::serve
