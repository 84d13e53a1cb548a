#include "pulse/testing/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pulse::testing {
namespace {

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// This process' environment with `extra` applied on top (same key: extra wins).
std::vector<std::string> Environment(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> vars;
  auto put = [&](const std::string& kv) {
    const auto eq = kv.find('=');
    vars[kv.substr(0, eq)] = kv;
  };
  for (char** e = environ; *e != nullptr; ++e) put(*e);
  for (const auto& kv : extra) put(kv);
  std::vector<std::string> out;
  for (auto& [key, kv] : vars) out.push_back(std::move(kv));
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& binary, ChildOptions options)
    : output_path_(std::move(options.output_path)), stop_grace_(options.stop_grace) {
  if (output_path_.empty()) {
    char tmpl[] = "/tmp/pulse-child-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    if (fd < 0) throw std::runtime_error(std::string("mkstemp: ") + std::strerror(errno));
    ::close(fd);
    output_path_ = tmpl;
    owns_output_ = true;
  }
  std::vector<std::string> argv_s = {binary};
  argv_s.insert(argv_s.end(), options.args.begin(), options.args.end());
  std::vector<std::string> env_s = Environment(options.env);
  std::vector<char*> argv = Pointers(argv_s), envp = Pointers(env_s);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    if (owns_output_) std::remove(output_path_.c_str());
    throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
  }
}

ChildProcess::~ChildProcess() {
  Stop();
  if (owns_output_) std::remove(output_path_.c_str());
}

std::string ChildProcess::Output() const {
  std::ifstream in(output_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool ChildProcess::Running() {
  if (exit_code_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_code_ = ExitCode(status);
    return false;
  }
  return true;
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

void ChildProcess::Signal(int signal_number) {
  if (!exit_code_) ::kill(pid_, signal_number);
}

int ChildProcess::Stop() {
  if (exit_code_) return *exit_code_;
  Signal(SIGTERM);
  if (auto code = Wait(stop_grace_)) return *code;
  Signal(SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exit_code_ = ExitCode(status);
  return *exit_code_;
}

int RunToCompletion(const std::string& binary, ChildOptions options, std::string* output,
                    std::chrono::milliseconds timeout) {
  ChildProcess child(binary, std::move(options));
  const std::optional<int> code = child.Wait(timeout);
  const int result = code ? *code : child.Stop();
  if (output != nullptr) *output = child.Output();
  return result;
}

}  // namespace pulse::testing
