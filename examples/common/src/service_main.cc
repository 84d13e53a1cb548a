#include "pulse/demo/service_main.h"

#include <fstream>

#include "pulse/base/log.h"
#include "pulse/serve/signal_waiter.h"

namespace pulse::demo {

int RunService(int argc, const char* const* argv, const ServiceDefinition& def) {
  // First, before any pool or server thread exists: they all inherit the blocked stop signals,
  // and this thread waits for one below (a clean stop without async-signal handlers).
  serve::SignalWaiter stop_signals;
  try {
    const Flags flags(argc, argv,
                      {"listen", "redis", "pg", "amqp-url", "error-rate", "latency-ms", "jitter-ms",
                       "top-k", "threads", "port-file", "s3-endpoint", "s3-bucket", "s3-access-key",
                       "s3-secret-key", "s3-region", "metrics-listen", "metrics-port-file"},
                      {"no-instrumentation"});
    const auto [redis_host, redis_port] = ParseHostPort(flags.Get("redis", "127.0.0.1:6379"));
    auto redis_metrics = std::make_shared<red::RedisMetrics>();
    red::RedisClientOptions ro;
    ro.host = redis_host;
    ro.port = redis_port;
    ServiceDeps deps;
    deps.redis = std::make_shared<RedisPool>(ro, redis_metrics);
    deps.flags = &flags;
    if (flags.Has("pg")) {
      deps.pg = std::make_shared<PgPool>(flags.Get("pg"));
    } else if (def.needs_pg) {
      throw std::invalid_argument(def.name + " needs --pg DSN (PostgreSQL)");
    }
    ServerOptions so;
    so.listen = flags.Get("listen", "127.0.0.1:8080");
    so.threads = static_cast<int>(flags.GetInt("threads", 16));
    so.instrument = !flags.Has("no-instrumentation");
    so.top_k = static_cast<std::size_t>(flags.GetInt("top-k", 100));
    so.faults.error_rate = flags.GetDouble("error-rate", 0.0);
    so.faults.latency = std::chrono::milliseconds(flags.GetInt("latency-ms", 0));
    so.faults.jitter = std::chrono::milliseconds(flags.GetInt("jitter-ms", 0));
    so.metrics_listen = flags.Get("metrics-listen", "");
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables;
    if (so.instrument) collectables.push_back(redis_metrics);
    HttpServer server(so, def.make_routes(deps), collectables);
    server.Start();
    if (flags.Has("port-file")) {
      std::ofstream(flags.Get("port-file")) << server.port() << "\n";
    }
    if (flags.Has("metrics-port-file")) {
      std::ofstream(flags.Get("metrics-port-file")) << server.metrics_port() << "\n";
    }
    base::LogInfo(
        "listening",
        {{"service", def.name}, {"port", server.port()}, {"metrics_port", server.metrics_port()}});
    const int signal_number = stop_signals.Wait();
    server.Stop();
    base::LogInfo("stopped",
                  {{"service", def.name}, {"signal", serve::SignalWaiter::Name(signal_number)}});
    return 0;
  } catch (const std::exception& e) {
    base::LogError(e.what(), {{"service", def.name}});
    return 2;
  }
}

}  // namespace pulse::demo
