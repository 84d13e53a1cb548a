// Helpers shared by the exporter's integration tests: HTTP calls, parsing an exposition, and
// running the pulse-exporter binary as a child process on a free port. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pulse/exporter/http_client.h"

namespace pulse::exporter::testing {

HttpResponse Http(const std::string& method, const std::string& url, const std::string& body = "",
                  const std::string& user = "", const std::string& password = "",
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The value of the first sample `name{...}` whose labels include all of `labels`.
std::optional<double> Value(const std::string& exposition, const std::string& name,
                            const std::map<std::string, std::string>& labels = {});

int FreePort();

// Writes `config` to a temp file and runs pulse-exporter on a free port with extra environment.
class ExporterProcess {
 public:
  ExporterProcess(const std::string& binary, const std::string& config,
                  const std::vector<std::string>& env = {});
  ~ExporterProcess();
  ExporterProcess(const ExporterProcess&) = delete;
  ExporterProcess& operator=(const ExporterProcess&) = delete;

  bool WaitHealthy(std::chrono::seconds timeout);
  std::string Metrics(double* seconds = nullptr);  // body of GET /metrics (and its latency)
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string Log() const;  // its stderr so far
  pid_t pid() const { return pid_; }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Runs the binary with args, returns exit status and stderr+stdout in *output.
int RunExporter(const std::string& binary, const std::vector<std::string>& args,
                std::string* output, const std::vector<std::string>& env = {});

// Polls `check` every 200 ms until it returns true or `timeout` passes.
bool Eventually(const std::function<bool()>& check, std::chrono::seconds timeout);

}  // namespace pulse::exporter::testing
