// A child process owned by a test: spawned with arguments and extra environment, its stdout and
// stderr captured into one file, stopped on destruction with SIGTERM and then, after a grace
// period, SIGKILL — so a failing assertion never leaves a server running.
//
// Not thread-safe: one thread owns a ChildProcess.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pulse::testing {

struct ChildOptions {
  std::vector<std::string> args;  // without argv[0]
  std::vector<std::string> env;   // "KEY=VALUE", added to (and overriding) this process' own
  // Where stdout+stderr go; empty: a temp file the object removes when destroyed.
  std::string output_path;
  std::chrono::milliseconds stop_grace{10000};  // SIGTERM → SIGKILL
};

class ChildProcess {
 public:
  // Throws std::runtime_error naming the binary when it cannot be started.
  ChildProcess(const std::string& binary, ChildOptions options);
  ~ChildProcess();  // Stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Everything it wrote so far (stdout and stderr interleaved).
  std::string Output() const;
  const std::string& output_path() const { return output_path_; }

  // True while it has not exited (reaps it once it has).
  bool Running();
  // Its exit code (128+N when killed by signal N) once it exits, nullopt if still running after
  // `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  void Signal(int signal_number);
  // SIGTERM, wait up to the grace period, then SIGKILL; returns the exit code. Idempotent.
  int Stop();

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string output_path_;
  bool owns_output_ = false;
  std::chrono::milliseconds stop_grace_;
};

// Runs `binary` to completion (killing it after `timeout`); returns its exit code, output in
// *output.
int RunToCompletion(const std::string& binary, ChildOptions options, std::string* output,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace pulse::testing
