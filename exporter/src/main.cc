// pulse-exporter: loads the config, starts one refresh thread per target and serves /metrics
// (from the cache), /healthz and /readyz with pulse::serve until SIGTERM/SIGINT.
#include <malloc.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "pulse/base/log.h"
#include "pulse/base/version.h"
#include "pulse/exporter/config.h"
#include "pulse/exporter/credentials.h"
#include "pulse/exporter/metrics_page.h"
#include "pulse/exporter/target_factory.h"
#include "pulse/exporter/target_runner.h"
#include "pulse/http/client.h"
#include "pulse/serve/metrics_server.h"
#include "pulse/serve/signal_waiter.h"

namespace {

constexpr const char* kVersion = pulse::base::kVersion;

constexpr const char* kUsage = R"(Usage: pulse-exporter --config FILE [--listen HOST:PORT] [--check]

Exports RabbitMQ dead-letter/in-flight messages, PostgreSQL size/connections/shared buffers and
S3 bucket sizes for Prometheus. Every target is refreshed in the background on its own interval;
/metrics is served from the cache and never waits for a target.

  --config FILE       YAML config (format: docs/exporter.md)
  --listen HOST:PORT  address for /metrics and /healthz (overrides `listen:`; default 127.0.0.1:9187)
  --check             validate the config and the credentials it references, then exit
  --help              this text
  --version           print the version
)";

int Fail(const std::string& message) {
  std::cerr << "pulse-exporter: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using pulse::exporter::CheckCredentials;
  using pulse::exporter::ConfigParseResult;
  using pulse::exporter::ExporterConfig;
  using pulse::exporter::FormatConfigErrors;
  using pulse::exporter::kMaxConfigBytes;
  using pulse::exporter::MakeTarget;
  using pulse::exporter::MetricsPage;
  using pulse::exporter::ParseConfig;
  using pulse::exporter::TargetRunner;
  using pulse::exporter::ValidateListen;
  // One malloc arena per thread would multiply resident memory by the thread count (refresh
  // threads, HTTP threads); the exporter is not allocation-bound, so two arenas suffice.
  mallopt(M_ARENA_MAX, 2);
  std::string config_path, listen;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* flag) -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      (void)flag;
      return std::string(argv[++i]);
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--version") {
      std::cout << "pulse-exporter " << kVersion << "\n";
      return 0;
    } else if (arg == "--config") {
      auto v = value("--config");
      if (!v) return Fail("--config needs a file\n" + std::string(kUsage));
      config_path = *v;
    } else if (arg.rfind("--config=", 0) == 0) {
      config_path = arg.substr(9);
    } else if (arg == "--listen") {
      auto v = value("--listen");
      if (!v) return Fail("--listen needs HOST:PORT");
      listen = *v;
    } else if (arg.rfind("--listen=", 0) == 0) {
      listen = arg.substr(9);
    } else if (arg == "--check") {
      check_only = true;
    } else {
      std::cerr << "pulse-exporter: unknown argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (config_path.empty()) {
    std::cerr << "pulse-exporter: --config FILE is required\n" << kUsage;
    return 2;
  }

  struct stat st {};
  if (::stat(config_path.c_str(), &st) != 0) {
    return Fail(config_path + ": cannot read config: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return Fail(config_path + ": not a regular file");
  if (static_cast<std::size_t>(st.st_size) > kMaxConfigBytes) {
    return Fail(config_path + ": config is larger than " + std::to_string(kMaxConfigBytes) +
                " bytes");
  }
  std::ifstream in(config_path, std::ios::binary);
  if (!in) return Fail(config_path + ": cannot read config: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();

  ConfigParseResult parsed = ParseConfig(text.str());
  if (!parsed.config) {
    std::cerr << FormatConfigErrors(config_path, parsed.errors);
    return 1;
  }
  ExporterConfig& config = *parsed.config;
  if (const auto errors = CheckCredentials(config); !errors.empty()) {
    std::cerr << FormatConfigErrors(config_path, errors);
    return 1;
  }
  if (!listen.empty()) {
    if (auto why = ValidateListen(listen); !why.empty()) return Fail("--listen: " + why);
    config.listen = listen;
  }
  if (check_only) {
    std::cout << "config OK: " << config.targets.size() << " target(s)\n";
    return 0;
  }

  // Before any thread starts: every thread inherits the blocked stop signals.
  pulse::serve::SignalWaiter stop_signals;

  pulse::http::ClientOptions http_options;
  http_options.user_agent = std::string("pulse-exporter/") + kVersion;
  auto made_http = pulse::http::MakeClient(http_options);
  if (!made_http.ok()) return Fail(made_http.status().ToString());
  std::shared_ptr<pulse::http::Client> http = std::move(made_http).value();
  std::vector<std::unique_ptr<TargetRunner>> runners;
  std::vector<const TargetRunner*> views;
  for (const auto& t : config.targets) {
    runners.push_back(
        std::make_unique<TargetRunner>(t.name, t.type, t.interval, MakeTarget(t, http)));
    views.push_back(runners.back().get());
  }
  MetricsPage page(views, kVersion);
  pulse::serve::MetricsServerOptions server_options;
  server_options.listen = config.listen;
  // /metrics is the cached page exactly as rendered at refresh time, nothing appended.
  server_options.page = [&page] { return page.Render(); };
  server_options.process_metrics = false;
  std::unique_ptr<pulse::serve::MetricsServer> server;
  try {
    server = std::make_unique<pulse::serve::MetricsServer>(server_options);
  } catch (const std::exception& e) {
    return Fail(e.what());
  }
  const auto ports = server->ports();
  pulse::base::LogInfo("pulse-exporter serving /metrics", {{"version", kVersion},
                                                           {"listen", config.listen},
                                                           {"port", ports.empty() ? 0 : ports[0]},
                                                           {"targets", runners.size()}});
  for (auto& r : runners) r->Start();
  // Ready once every target refreshes in the background: /metrics never waits for a target.
  server->SetReady(true);

  const int sig = stop_signals.Wait();
  pulse::base::LogInfo("stopping", {{"signal", pulse::serve::SignalWaiter::Name(sig)}});
  server.reset();
  for (auto& r : runners) r->Stop();
  return 0;
}
