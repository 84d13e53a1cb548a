#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include "pulse/http/client.h"
#include "pulse/kube/config.h"
#include "pulse/kube/token_file.h"

namespace pulse::kube {
namespace {

namespace fs = std::filesystem;

// "hello" and "world" in base64.
const char* kGood = R"(
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority-data: aGVsbG8=
- name: c2
  cluster:
    server: https://example.test
    certificate-authority: certs/ca.crt
- name: c3
  cluster:
    server: https://insecure.test
    insecure-skip-tls-verify: true
users:
- name: u1
  user:
    client-certificate-data: aGVsbG8=
    client-key-data: d29ybGQ=
- name: u2
  user:
    client-certificate: /abs/tls.crt
    client-key: rel/tls.key
- name: u3
  user:
    token: s3cret
contexts:
- name: dev
  context: {cluster: c1, user: u1, namespace: team-a}
- name: files
  context: {cluster: c2, user: u2}
- name: tok
  context: {cluster: c3, user: u3}
)";

TEST(Kubeconfig, CurrentContextWithInlineData) {
  Config c = ParseKubeconfig(kGood, "", "/home/x/.kube", "test");
  EXPECT_EQ(c.server, "https://10.0.0.1:6443");  // trailing slash dropped
  EXPECT_EQ(c.tls.ca_data, "hello");
  EXPECT_EQ(c.tls.client_cert_data, "hello");
  EXPECT_EQ(c.tls.client_key_data, "world");
  EXPECT_FALSE(c.tls.insecure_skip_verify);
  EXPECT_FALSE(c.token);
  EXPECT_EQ(c.default_namespace, "team-a");
  EXPECT_NE(c.source.find("context dev"), std::string::npos);
}

TEST(Kubeconfig, NamedContextWithFilesResolvedAgainstItsDirectory) {
  Config c = ParseKubeconfig(kGood, "files", "/home/x/.kube", "test");
  EXPECT_EQ(c.server, "https://example.test");
  EXPECT_EQ(c.tls.ca_file, "/home/x/.kube/certs/ca.crt");
  EXPECT_EQ(c.tls.client_cert_file, "/abs/tls.crt");
  EXPECT_EQ(c.tls.client_key_file, "/home/x/.kube/rel/tls.key");
  EXPECT_EQ(c.default_namespace, "default");
}

TEST(Kubeconfig, TokenAndExplicitInsecure) {
  Config c = ParseKubeconfig(kGood, "tok", "", "test");
  ASSERT_TRUE(c.token);
  EXPECT_EQ(c.token(), "s3cret");
  EXPECT_TRUE(c.tls.insecure_skip_verify);
  EXPECT_EQ(c.server, "https://insecure.test");  // requests go to absolute URLs under it
  EXPECT_TRUE(c.ToHttpOptions().tls.insecure_skip_verify);
  EXPECT_EQ(c.ToHttpOptions().token(), "s3cret");
}

std::string ErrorOf(const std::string& yaml, const std::string& context = "") {
  try {
    ParseKubeconfig(yaml, context, "", "bad.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

const char* kMinimal = R"(
current-context: x
contexts: [{name: x, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "https://a"}}]
users: [{name: u, user: USER}]
)";

std::string WithUser(const std::string& user) {
  std::string s = kMinimal;
  s.replace(s.find("USER"), 4, user);
  return s;
}

struct BadCase {
  std::string yaml;
  std::string context;
  std::string expected;  // substring of the message
};

TEST(Kubeconfig, MalformedInputGivesClearErrors) {
  const std::vector<BadCase> cases = {
      {"{{{{ not yaml", "", "not valid YAML"},
      {"- a\n- b\n", "", "must be a map"},
      {"just a string", "", "must be a map"},
      {"clusters: []\n", "", "current-context: not set"},
      {kMinimal, "nope", "contexts: no entry named 'nope'"},
      {"current-context: x\ncontexts: 5\n", "", "contexts: must be a list"},
      {"current-context: x\ncontexts: [5]\n", "", "contexts[0]: must be a map"},
      {"current-context: x\ncontexts: [{name: x}]\n", "", "contexts[x].context: missing"},
      {"current-context: x\ncontexts: [{name: x, context: {user: u}}]\n", "",
       "contexts[x].context.cluster: missing"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n", "",
       "clusters: missing"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {}}]\n",
       "", "clusters[c].cluster.server: missing"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {server: 'ftp://x'}}]\n",
       "", "must start with https://"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {server: [1, 2]}}]\n",
       "", "server: must be a string"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {server: 'https://x', certificate-authority-data: '%%%'}}]\n",
       "", "certificate-authority-data: invalid base64"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {server: 'https://x', insecure-skip-tls-verify: maybe}}]\n",
       "", "must be true or false, got 'maybe'"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {server: 'https://x', insecure-skip-tls-verify: true, "
       "certificate-authority: /ca}}]\n",
       "", "contradictory"},
      {WithUser("{client-certificate-data: aGVsbG8=}"), "", "must be given together"},
      {WithUser("{client-key: /k}"), "", "must be given together"},
      {WithUser("{exec: {command: /bin/evil}}"), "", "exec credential plugins are not supported"},
      {WithUser("{auth-provider: {name: gcp}}"), "", "auth providers are not supported"},
      {WithUser("{username: a, password: b}"), "", "basic authentication is not supported"},
      {WithUser("{token: [1]}"), "", "token: must be a string"},
      {WithUser("{client-certificate-data: 'aGVsbG8', client-key-data: 'a=b='}"), "",
       "invalid base64"},
  };
  for (const auto& c : cases) {
    const std::string err = ErrorOf(c.yaml, c.context);
    EXPECT_NE(err.find(c.expected), std::string::npos) << "yaml:\n" << c.yaml << "\ngot: " << err;
    EXPECT_NE(err.find("kubeconfig bad.yaml"), std::string::npos) << err;
  }
}

TEST(Kubeconfig, MissingUserEntryIsAnError) {
  std::string s = kMinimal;
  s.replace(s.find("name: u,"), 8, "name: other,");
  EXPECT_NE(ErrorOf(s).find("users: no entry named 'u'"), std::string::npos) << ErrorOf(s);
}

TEST(Kubeconfig, OversizedGarbageIsRejectedNotCrashed) {
  std::string garbage(4 << 20, 'x');
  garbage[1000] = ':';
  EXPECT_NE(ErrorOf(garbage), "(no error)");
  std::string binary;
  for (int i = 0; i < 100000; ++i) binary.push_back(static_cast<char>(i * 7));
  EXPECT_NE(ErrorOf(binary), "(no error)");
}

TEST(Kubeconfig, LoadFileReportsMissingFile) {
  try {
    LoadKubeconfig("/nonexistent/kubeconfig");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/kubeconfig"), std::string::npos);
  }
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/pulse-kube-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << content;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Kubeconfig, TokenFileIsReReadWhenRotated) {
  TempDir dir;
  const std::string path = dir.File("token", "first\n");
  TokenFile tf(path, std::chrono::milliseconds(0));
  EXPECT_EQ(tf.Token(), "first");
  dir.File("token", "second-token");
  EXPECT_EQ(tf.Token(), "second-token");
  fs::remove(path);
  EXPECT_EQ(tf.Token(), "second-token") << "a vanished file keeps the last good token";
  TokenFile missing(dir.path() + "/nope");
  EXPECT_THROW(missing.Token(), std::runtime_error);
}

TEST(InClusterConfig, FromEnvironmentAndServiceAccountFiles) {
  TempDir dir;
  InClusterOptions o;
  o.token_file = dir.File("token", "tok-1");
  o.ca_file = dir.File("ca.crt", "PEM");
  o.namespace_file = dir.File("namespace", "pulse-system\n");
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                            {"KUBERNETES_SERVICE_PORT", "443"}};
  o.getenv = [&](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  Config c = InClusterConfig(o);
  EXPECT_EQ(c.server, "https://10.96.0.1:443");
  EXPECT_EQ(c.tls.ca_file, o.ca_file);
  EXPECT_FALSE(c.tls.insecure_skip_verify);
  EXPECT_EQ(c.default_namespace, "pulse-system");
  EXPECT_EQ(c.token(), "tok-1");

  env["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  EXPECT_EQ(InClusterConfig(o).server, "https://[fd00::1]:443");

  env["KUBERNETES_SERVICE_PORT"] = "443; rm -rf";
  EXPECT_THROW(InClusterConfig(o), ConfigError);
  env.erase("KUBERNETES_SERVICE_PORT");
  EXPECT_THROW(InClusterConfig(o), ConfigError);
  env["KUBERNETES_SERVICE_PORT"] = "443";
  o.token_file = dir.path() + "/missing";
  try {
    InClusterConfig(o);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos);
  }
}

TEST(HttpClient, BadTlsMaterialFailsEarlyWithTheFileName) {
  TempDir dir;
  Config cfg;
  cfg.server = "https://127.0.0.1:1";
  cfg.tls.ca_file = dir.path() + "/absent.crt";
  auto made = http::MakeClient(cfg.ToHttpOptions());
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("absent.crt"), std::string::npos);
  cfg.tls.ca_file = dir.File("junk.crt", "not a certificate");
  made = http::MakeClient(cfg.ToHttpOptions());
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("no PEM certificate"), std::string::npos);
}

}  // namespace
}  // namespace pulse::kube
