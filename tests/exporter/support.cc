#include "support.h"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

#include "pulse/http/encoding.h"
#include "pulse/testing/loopback_listener.h"

namespace pulse::exporter::testing {

std::shared_ptr<http::Client> SharedHttpClient() {
  static const std::shared_ptr<http::Client> client = http::MakeClient({}).value();
  return client;
}

HttpResult Send(const http::Request& request) {
  auto sent = SharedHttpClient()->Send(request);
  HttpResult out;
  if (!sent.ok()) {
    out.error = sent.status().code();
    out.error_message = sent.status().message();
    return out;
  }
  out.status = sent->status;
  out.body = std::move(sent->body);
  return out;
}

HttpResult Http(const std::string& method, const std::string& url, const std::string& body,
                const std::string& user, const std::string& password,
                std::chrono::milliseconds timeout) {
  http::Request req;
  req.method = method;
  req.url = url;
  req.body = body;
  req.timeout = timeout;
  if (!user.empty()) {
    req.headers.push_back({"Authorization", http::BasicAuthorization(user, password)});
  }
  return Send(req);
}

std::optional<double> Value(const std::string& exposition, const std::string& name,
                            const std::map<std::string, std::string>& labels) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.compare(0, name.size(), name) != 0) continue;
    const char next = line.size() > name.size() ? line[name.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    bool all = true;
    for (const auto& [k, v] : labels) {
      if (line.find(k + "=\"" + v + "\"") == std::string::npos) all = false;
    }
    if (!all) continue;
    const auto space = line.rfind(' ');
    return std::strtod(line.c_str() + space + 1, nullptr);
  }
  return std::nullopt;
}

namespace {

// The port pulse-exporter bound for `--listen 127.0.0.1:0`, from its start-up log line
// ({"msg":"pulse-exporter serving /metrics",...,"port":N}); 0 while it has not said so yet.
int PortFromLog(const std::string& log) {
  const auto line = log.find("pulse-exporter serving /metrics");
  if (line == std::string::npos) return 0;
  const auto key = log.find("\"port\":", line);
  if (key == std::string::npos) return 0;
  return std::atoi(log.c_str() + key + 7);
}

}  // namespace

int RunExporter(const std::string& binary, const std::vector<std::string>& args,
                std::string* output, const std::vector<std::string>& env) {
  pulse::testing::ChildOptions options;
  options.args = args;
  options.env = env;
  return pulse::testing::RunToCompletion(binary, std::move(options), output);
}

ExporterProcess::ExporterProcess(const std::string& binary, const std::string& config,
                                 const std::vector<std::string>& env) {
  char tmpl[] = "/tmp/pulse-exporter-test-XXXXXX";
  dir_ = mkdtemp(tmpl);
  std::ofstream(dir_ + "/config.yaml") << config;
  pulse::testing::ChildOptions options;
  // Port 0: the kernel picks a free port when the exporter binds, so no other process can take
  // it in between (picking a port first and passing it on would race).
  options.args = {"--config", dir_ + "/config.yaml", "--listen", "127.0.0.1:0"};
  options.env = env;
  options.output_path = dir_ + "/log";
  options.stop_grace = std::chrono::seconds(15);
  child_ = std::make_unique<pulse::testing::ChildProcess>(binary, std::move(options));
  Eventually([&] { return (port_ = PortFromLog(child_->Output())) != 0; },
             std::chrono::seconds(30));
}

ExporterProcess::~ExporterProcess() {
  child_.reset();  // SIGTERM, then SIGKILL after the grace period
  std::remove((dir_ + "/config.yaml").c_str());
  std::remove((dir_ + "/log").c_str());
  ::rmdir(dir_.c_str());
}

bool ExporterProcess::WaitHealthy(std::chrono::seconds timeout) {
  return Eventually(
      [&] {
        auto r = Http("GET", url() + "/healthz", "", "", "", std::chrono::seconds(1));
        return r.error == base::StatusCode::kOk && r.status == 200;
      },
      timeout);
}

std::string ExporterProcess::Metrics(double* seconds) {
  const auto start = std::chrono::steady_clock::now();
  auto r = Http("GET", url() + "/metrics", "", "", "", std::chrono::seconds(5));
  if (seconds) {
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return r.status == 200 ? r.body : "";
}

std::string ExporterProcess::Log() const { return child_->Output(); }

}  // namespace pulse::exporter::testing
