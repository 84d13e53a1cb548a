#include "pulse/demo/service_main.h"

#include <signal.h>

#include <fstream>
#include <iostream>

namespace pulse::demo {

int RunService(int argc, const char* const* argv, const ServiceDefinition& def) {
  try {
    const Flags flags(
        argc, argv,
        {"listen", "redis", "pg", "rabbitmq-url", "rabbitmq-user", "rabbitmq-password",
         "error-rate", "latency-ms", "jitter-ms", "top-k", "threads", "port-file", "s3-endpoint",
         "s3-bucket", "s3-access-key", "s3-secret-key", "s3-region"},
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
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables;
    if (so.instrument) collectables.push_back(redis_metrics);
    // Block SIGINT/SIGTERM before civetweb starts its threads (they inherit the mask), then
    // wait for one here: a clean stop without async-signal handlers.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    HttpServer server(so, def.make_routes(deps), collectables);
    server.Start();
    if (flags.Has("port-file")) {
      std::ofstream(flags.Get("port-file")) << server.port() << "\n";
    }
    std::cerr << def.name << ": listening on port " << server.port() << std::endl;
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server.Stop();
    std::cerr << def.name << ": stopped" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << def.name << ": " << e.what() << std::endl;
    return 2;
  }
}

}  // namespace pulse::demo
