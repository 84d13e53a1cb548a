#include "support.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

extern char** environ;

namespace pulse::exporter::testing {

HttpResponse Http(const std::string& method, const std::string& url, const std::string& body,
                  const std::string& user, const std::string& password,
                  std::chrono::milliseconds timeout) {
  static auto client = MakeCppRestHttpClient();
  HttpRequest req;
  req.method = method;
  req.url = url;
  req.body = body;
  req.timeout = timeout;
  if (!user.empty()) req.headers.push_back({"Authorization", BasicAuthorization(user, password)});
  return client->Send(req);
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

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

namespace {

pid_t Spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::vector<std::string>& env, const std::string& output_file) {
  std::vector<std::string> argv_s = {binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) env_s.emplace_back(*e);
  env_s.insert(env_s.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int RunExporter(const std::string& binary, const std::vector<std::string>& args,
                std::string* output, const std::vector<std::string>& env) {
  char tmpl[] = "/tmp/pulse-exporter-run-XXXXXX";
  const int fd = mkstemp(tmpl);
  ::close(fd);
  const pid_t pid = Spawn(binary, args, env, tmpl);
  int status = 0;
  waitpid(pid, &status, 0);
  *output = ReadFile(tmpl);
  std::remove(tmpl);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ExporterProcess::ExporterProcess(const std::string& binary, const std::string& config,
                                 const std::vector<std::string>& env) {
  char tmpl[] = "/tmp/pulse-exporter-test-XXXXXX";
  dir_ = mkdtemp(tmpl);
  std::ofstream(dir_ + "/config.yaml") << config;
  port_ = FreePort();
  pid_ = Spawn(
      binary, {"--config", dir_ + "/config.yaml", "--listen", "127.0.0.1:" + std::to_string(port_)},
      env, dir_ + "/log");
}

ExporterProcess::~ExporterProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 150; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  std::remove((dir_ + "/config.yaml").c_str());
  std::remove((dir_ + "/log").c_str());
  ::rmdir(dir_.c_str());
}

bool ExporterProcess::WaitHealthy(std::chrono::seconds timeout) {
  return Eventually(
      [&] {
        auto r = Http("GET", url() + "/healthz", "", "", "", std::chrono::seconds(1));
        return r.error == HttpResponse::Error::kNone && r.status == 200;
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

std::string ExporterProcess::Log() const { return ReadFile(dir_ + "/log"); }

bool Eventually(const std::function<bool()>& check, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (check()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace pulse::exporter::testing
