// The one metrics/health HTTP server of every pulse process (operator, exporter, demo services):
//   GET /metrics   the registered Collectables in the Prometheus text format, optionally after a
//                  pre-rendered page (the exporter serves its cached page verbatim this way);
//                  gzip-compressed when the client sends Accept-Encoding: gzip
//   GET /healthz   liveness: 200 "ok" while the process serves HTTP at all
//   GET /readyz    readiness: 200 "ok" once SetReady(true) (and the optional check) say so,
//                  else 503 "not ready"
//   HEAD           the same headers without the body; other methods 405; other paths 404
//
// Design (docs/serving.md): one epoll event-loop thread per server, non-blocking sockets and a
// small state machine per connection, so a connection costs a few hundred bytes, not a thread —
// idle, half-open or trickling clients cannot starve /metrics. Every connection is bounded:
//   - request head: at most max_header_bytes (else 431 and close), complete within
//     request_timeout of its first byte, or of the accept (else 408 and close);
//   - idle keep-alive: closed after keep_alive_timeout;
//   - response: fully read by the client within write_timeout (else closed);
//   - at most max_connections at once; beyond that a new connection gets 503 and is closed.
// Stopping (the destructor) wakes the loop through an eventfd: it returns at once, closing every
// connection, and never waits for a client.
// Responses are rendered on the loop thread: the page callback and the Collectables must be
// quick (the exporter's page is pre-rendered; registries serialize in microseconds to a few ms).
// gzip output is cached per page chunk, so an unchanged (part of a) page is not re-compressed.
//
// Thread-safe: Register, SetReady, ready, ports, stats and RenderMetrics may be called from any
// thread at any time; the page/readiness callbacks run on the server's loop thread (and on the
// caller's thread for RenderMetrics), so they must be thread-safe.
#pragma once

#include <prometheus/collectable.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pulse::serve {

struct MetricsServerOptions {
  // "HOST:PORT", several comma-separated; "PORT" or ":PORT" listen on every IPv4 interface,
  // "[::1]:PORT" on IPv6. Port 0 binds a free port (ask ports() which one).
  std::string listen = "127.0.0.1:0";
  // Ignored, kept for source compatibility: one event-loop thread serves every connection.
  int num_threads = 1;
  // The whole request head must arrive within this time of its first byte (or of the accept,
  // for a connection that sends nothing); else 408 and close. Bounds half-open and trickling
  // clients.
  std::chrono::milliseconds request_timeout{5000};
  // Idle time allowed between requests on a kept-alive connection; 0 closes each connection
  // after its response. Idle connections cost no thread, so keeping them is cheap.
  std::chrono::milliseconds keep_alive_timeout{30000};
  // A response must be taken by the client within this time of its first byte being sent, else
  // the connection is closed (a reader that never reads would hold its buffers forever).
  std::chrono::milliseconds write_timeout{10000};
  // Request line + headers, bytes; a longer head gets 431.
  std::size_t max_header_bytes = 8192;
  // Open connections at once; beyond it a new connection gets an immediate 503 and is closed.
  // Clamped to the process' file-descriptor limit (RLIMIT_NOFILE) minus a reserve.
  int max_connections = 4096;
  // Adds the standard process_* metrics (CPU, memory, fds; pulse::red::ProcessCollector).
  bool process_metrics = true;
  // When set, /metrics starts with this text (already in the text exposition format), followed
  // by the registered Collectables. Must be thread-safe.
  std::function<std::string()> page;
  // When set, /readyz is 200 only if SetReady(true) was called AND this returns true. Must be
  // thread-safe and quick (it runs on the loop thread).
  std::function<bool()> readiness_check;
};

// Counters since start (for tests, benchmarks and logs); each field is read atomically.
struct MetricsServerStats {
  std::uint64_t accepted = 0;         // connections accepted (including refused ones)
  std::uint64_t refused = 0;          // answered 503 because max_connections were open
  std::uint64_t requests = 0;         // requests answered (any status)
  std::uint64_t timed_out = 0;        // closed by request, keep-alive or write deadline
  std::uint64_t open = 0;             // connections open now
  std::uint64_t gzip_compressed = 0;  // page chunks compressed
  std::uint64_t gzip_reused = 0;      // page chunks served from the gzip cache
};

class MetricsServer {
 public:
  // Binds and starts serving. Throws std::runtime_error naming the address when it cannot listen.
  explicit MetricsServer(MetricsServerOptions options);
  // Stops at once: wakes the loop, closes every connection (responses in flight are cut), joins
  // the loop thread.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Adds a Collectable (typically a prometheus::Registry) to /metrics. Held weakly, as
  // prometheus::Exposer does: the caller owns it; once destroyed it is skipped.
  void Register(std::weak_ptr<prometheus::Collectable> collectable);
  // Readiness for /readyz; false until called.
  void SetReady(bool ready) { ready_ = ready; }
  bool ready() const;
  // The bound ports, in the order of `listen`.
  std::vector<int> ports() const;
  MetricsServerStats stats() const;

  // The /metrics body, as served uncompressed (for tests and for logging a snapshot).
  std::string RenderMetrics() const;

  struct Impl;  // the event loop (src/), public only so helpers there can name it

 private:
  const MetricsServerOptions options_;
  std::atomic<bool> ready_{false};
  mutable std::mutex mu_;  // guards collectables_
  std::vector<std::weak_ptr<prometheus::Collectable>> collectables_;
  std::unique_ptr<Impl> impl_;  // last: stopped (loop joined) before the members above go
};

}  // namespace pulse::serve
