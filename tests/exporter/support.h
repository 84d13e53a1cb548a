// Helpers shared by the exporter's integration tests: HTTP calls, parsing an exposition, and
// running the pulse-exporter binary as a child process (pulse::testing::ChildProcess) on a free
// port. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pulse/http/client.h"
#include "pulse/testing/child_process.h"
#include "pulse/testing/eventually.h"

namespace pulse::exporter::testing {

// One HTTP exchange as the tests read it: the answer, or (error != kOk) why there was none.
struct HttpResult {
  base::StatusCode error = base::StatusCode::kOk;
  std::string error_message;
  int status = 0;
  std::string body;
};

// A pulse::http client shared by the tests of one program.
std::shared_ptr<http::Client> SharedHttpClient();
HttpResult Send(const http::Request& request);
HttpResult Http(const std::string& method, const std::string& url, const std::string& body = "",
                const std::string& user = "", const std::string& password = "",
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The value of the first sample `name{...}` whose labels include all of `labels`.
std::optional<double> Value(const std::string& exposition, const std::string& name,
                            const std::map<std::string, std::string>& labels = {});

using pulse::testing::Eventually;

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
  pid_t pid() const { return child_->pid(); }

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<pulse::testing::ChildProcess> child_;
};

// Runs the binary with args, returns exit status and stderr+stdout in *output.
int RunExporter(const std::string& binary, const std::vector<std::string>& args,
                std::string* output, const std::vector<std::string>& env = {});

}  // namespace pulse::exporter::testing
