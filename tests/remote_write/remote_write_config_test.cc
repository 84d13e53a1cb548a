// The remote-write file (pulse/model/remote_write.h): every field read, every bound enforced with
// an error that names the file and field, and malformed, hostile or oversized input refused
// without a crash or a partially applied result.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pulse/model/remote_write.h"

namespace pulse::model {
namespace {

constexpr const char* kFull = R"(url: https://vm.example:8428/api/v1/write
name: victoriametrics
remoteTimeout: 45s
headers: {X-Scope-OrgID: tenant-1}
secretNamespace: monitoring
basicAuth:
  username: {name: vm-auth, key: username}
  password: {name: vm-auth, key: password}
tlsConfig:
  ca: {name: vm-ca, key: ca.crt}
  serverName: vm.internal
queueConfig:
  capacity: 20000
  minShards: 2
  maxShards: 50
  maxSamplesPerSend: 5000
  batchSendDeadline: 10s
  minBackoff: 50ms
  maxBackoff: 10s
writeRelabelConfigs:
  - sourceLabels: [__name__]
    regex: go_.*
    action: drop
)";

std::vector<std::string> Errors(const std::string& text) {
  std::vector<std::string> out;
  for (const Error& e : ParseRemoteWrite(text, "rw.yaml").errors) out.push_back(e.ToString());
  return out;
}

// The one error of `text`, or a failure listing all of them.
std::string OneError(const std::string& text) {
  const std::vector<std::string> errors = Errors(text);
  if (errors.size() != 1) {
    std::string all;
    for (const auto& e : errors) all += "\n  " + e;
    ADD_FAILURE() << "want exactly one error for:\n" << text << "got " << errors.size() << all;
    return "";
  }
  return errors[0];
}

TEST(RemoteWriteConfig, ReadsEveryField) {
  const RemoteWriteResult r = ParseRemoteWrite(kFull, "rw.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  const RemoteWrite& rw = r.remote_write;
  EXPECT_EQ(rw.url, "https://vm.example:8428/api/v1/write");
  EXPECT_EQ(rw.name, "victoriametrics");
  ASSERT_TRUE(rw.remote_timeout);
  EXPECT_EQ(rw.remote_timeout->text, "45s");
  EXPECT_EQ(rw.headers.at("X-Scope-OrgID"), "tenant-1");
  EXPECT_EQ(rw.secret_namespace, "monitoring");
  ASSERT_TRUE(rw.basic_auth);
  EXPECT_EQ(rw.basic_auth->password.name, "vm-auth");
  EXPECT_EQ(rw.basic_auth->password.key, "password");
  ASSERT_TRUE(rw.tls && rw.tls->ca);
  EXPECT_EQ(rw.tls->ca->key, "ca.crt");
  EXPECT_EQ(rw.tls->server_name, "vm.internal");
  EXPECT_EQ(rw.queue.capacity, 20000);
  EXPECT_EQ(rw.queue.min_shards, 2);
  EXPECT_EQ(rw.queue.max_shards, 50);
  EXPECT_EQ(rw.queue.max_samples_per_send, 5000);
  EXPECT_EQ(rw.queue.batch_send_deadline->text, "10s");
  EXPECT_EQ(rw.queue.min_backoff->text, "50ms");
  ASSERT_EQ(rw.write_relabel_configs.size(), 1u);
  EXPECT_EQ(rw.write_relabel_configs[0].action, RelabelAction::kDrop);
  const std::vector<SecretKeySelector> refs = RemoteWriteSecretRefs(rw);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[2].name, "vm-ca");
}

TEST(RemoteWriteConfig, MinimalFileAndJson) {
  const RemoteWriteResult r = ParseRemoteWrite("url: http://127.0.0.1:8428/api/v1/write\n", "f");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  EXPECT_TRUE(r.remote_write.queue.empty());
  EXPECT_TRUE(RemoteWriteSecretRefs(r.remote_write).empty());
  EXPECT_TRUE(Errors(R"({"url": "https://mimir:8080/api/v1/push"})").empty());
}

TEST(RemoteWriteConfig, UrlMustBeHttpWithAHost) {
  EXPECT_EQ(OneError("name: x\n"), "rw.yaml: url: required field is missing");
  EXPECT_EQ(OneError("url: ftp://vm/api/v1/write\n"),
            "rw.yaml: url: \"ftp://vm/api/v1/write\" must start with http:// or https://");
  EXPECT_EQ(OneError("url: vm:8428/api/v1/write\n"),
            "rw.yaml: url: \"vm:8428/api/v1/write\" must start with http:// or https://");
  EXPECT_EQ(OneError("url: http:///api/v1/write\n"),
            "rw.yaml: url: \"http:///api/v1/write\" has no host");
  EXPECT_EQ(OneError("url: http://vm/write#x\n"),
            "rw.yaml: url: \"http://vm/write#x\" must not have a #fragment");
  EXPECT_NE(OneError("url: \"http://vm/a b\"\n").find("must not contain spaces"),
            std::string::npos);
  EXPECT_TRUE(Errors("url: HTTPS://VM.example/api/v1/write\n").empty()) << "scheme is case-blind";
}

TEST(RemoteWriteConfig, CredentialsInTheUrlAreRefusedAndNotEchoed) {
  const std::string e = OneError("url: https://admin:s3cret@vm/api/v1/write\n");
  EXPECT_NE(e.find("use basicAuth with a Secret"), std::string::npos) << e;
  EXPECT_EQ(e.find("s3cret"), std::string::npos) << "the password must not reach the log: " << e;
}

TEST(RemoteWriteConfig, UnknownKeysAndWrongTypes) {
  EXPECT_EQ(OneError("url: http://vm/w\nqueue_config: {capacity: 10}\n"),
            "rw.yaml: queue_config: unknown field");
  EXPECT_EQ(OneError("url: http://vm/w\nqueueConfig: {max_shards: 10}\n"),
            "rw.yaml: queueConfig.max_shards: unknown field");
  EXPECT_NE(OneError("url: http://vm/w\nqueueConfig: {maxShards: ten}\n").find("expected"),
            std::string::npos);
  EXPECT_NE(OneError("url: [http://vm/w]\n").find("url"), std::string::npos);
  EXPECT_NE(OneError("url: http://vm/w\nbasicAuth: {username: {name: a, key: b}}\n")
                .find("basicAuth.password"),
            std::string::npos);
}

TEST(RemoteWriteConfig, QueueRanges) {
  const std::string base = "url: http://vm/w\nqueueConfig:\n  ";
  EXPECT_EQ(OneError(base + "capacity: 0\n"),
            "rw.yaml: queueConfig.capacity: 0 is out of range [1, 1000000]");
  EXPECT_EQ(OneError(base + "capacity: 1000001\n"),
            "rw.yaml: queueConfig.capacity: 1000001 is out of range [1, 1000000]");
  EXPECT_EQ(OneError(base + "maxShards: 1001\n"),
            "rw.yaml: queueConfig.maxShards: 1001 is out of range [1, 1000]");
  EXPECT_EQ(OneError(base + "maxShards: -1\n"),
            "rw.yaml: queueConfig.maxShards: -1 is out of range [1, 1000]");
  EXPECT_EQ(OneError(base + "maxSamplesPerSend: 100001\n"),
            "rw.yaml: queueConfig.maxSamplesPerSend: 100001 is out of range [1, 100000]");
  EXPECT_NE(OneError(base + "maxShards: 99999999999999999999999\n").find("out of range"),
            std::string::npos);
  EXPECT_NE(OneError(base + "capacity: 1.5\n").find("integer"), std::string::npos);
  EXPECT_TRUE(
      Errors(base + "capacity: 1000000\n  maxShards: 1000\n  maxSamplesPerSend: 100000\n").empty())
      << "the upper bounds themselves are allowed";
}

TEST(RemoteWriteConfig, DurationsAreCheckedForSyntaxAndRange) {
  const std::string base = "url: http://vm/w\n";
  EXPECT_NE(OneError(base + "remoteTimeout: 30 seconds\n").find("remoteTimeout"),
            std::string::npos);
  EXPECT_NE(OneError(base + "remoteTimeout: 0s\n").find("out of range"), std::string::npos);
  EXPECT_NE(OneError(base + "remoteTimeout: 11m\n").find("out of range"), std::string::npos);
  EXPECT_NE(OneError(base + "queueConfig: {batchSendDeadline: 0s}\n")
                .find("queueConfig.batchSendDeadline: 0s is out of range"),
            std::string::npos);
  EXPECT_NE(OneError(base + "queueConfig: {batchSendDeadline: -5s}\n").find("batchSendDeadline"),
            std::string::npos);
  EXPECT_NE(OneError(base + "queueConfig: {maxBackoff: 2h}\n").find("out of range"),
            std::string::npos);
}

TEST(RemoteWriteConfig, Contradictions) {
  const std::string base = "url: http://vm/w\n";
  EXPECT_EQ(OneError(base + "queueConfig: {capacity: 100, maxSamplesPerSend: 500}\n"),
            "rw.yaml: queueConfig.capacity: 100 is below maxSamplesPerSend 500");
  EXPECT_EQ(OneError(base + "queueConfig: {minShards: 5, maxShards: 2}\n"),
            "rw.yaml: queueConfig.minShards: 5 exceeds maxShards 2");
  EXPECT_EQ(OneError(base + "queueConfig: {minBackoff: 1m, maxBackoff: 1s}\n"),
            "rw.yaml: queueConfig.minBackoff: 1m exceeds maxBackoff 1s");
  EXPECT_EQ(
      OneError(base + "secretNamespace: m\nbasicAuth: {username: {name: a, key: u}, password: "
                      "{name: a, key: p}}\nbearerTokenSecret: {name: t, key: token}\n"),
      "rw.yaml: bearerTokenSecret: basicAuth and bearerTokenSecret are mutually exclusive");
  EXPECT_EQ(OneError(base + "tlsConfig: {cert: {name: c, key: tls.crt}}\nsecretNamespace: m\n"),
            "rw.yaml: tlsConfig: cert and key must be set together");
}

TEST(RemoteWriteConfig, SecretReferences) {
  const std::string base = "url: http://vm/w\nbearerTokenSecret: {name: vm-token, key: token}\n";
  EXPECT_EQ(OneError(base),
            "rw.yaml: secretNamespace: required when basicAuth, bearerTokenSecret or tlsConfig "
            "name a Secret");
  EXPECT_NE(OneError(base + "secretNamespace: Not_A_Namespace\n").find("DNS-1123 label"),
            std::string::npos);
  EXPECT_NE(OneError("url: http://vm/w\nsecretNamespace: m\nbearerTokenSecret: {name: vm-token, "
                     "key: ../../etc/passwd}\n")
                .find("not a valid Secret key"),
            std::string::npos)
      << "a key becomes a file name: no path traversal";
  EXPECT_NE(
      OneError("url: http://vm/w\nsecretNamespace: m\nbearerTokenSecret: {name: ../x, key: t}\n")
          .find("not a valid Secret name"),
      std::string::npos);
}

TEST(RemoteWriteConfig, Headers) {
  const std::string base = "url: http://vm/w\nheaders:\n  ";
  EXPECT_NE(OneError(base + "Authorization: Bearer abc\n").find("carries credentials"),
            std::string::npos);
  EXPECT_NE(OneError(base + "content-type: text/plain\n").find("set by Prometheus"),
            std::string::npos);
  EXPECT_NE(OneError(base + "\"Bad Header\": x\n").find("not a valid header name"),
            std::string::npos);
  EXPECT_NE(OneError(base + "X-Ok: \"line\\nbreak\"\n").find("control characters"),
            std::string::npos);
  std::string many = "url: http://vm/w\nheaders:\n";
  for (int i = 0; i < 33; ++i) many += "  X-H" + std::to_string(i) + ": v\n";
  EXPECT_NE(OneError(many).find("at most 32 headers"), std::string::npos);
}

TEST(RemoteWriteConfig, WriteRelabelConfigsAreValidated) {
  EXPECT_NE(OneError("url: http://vm/w\nwriteRelabelConfigs:\n  - {regex: \"(\", action: drop, "
                     "sourceLabels: [__name__]}\n")
                .find("writeRelabelConfigs[0].regex"),
            std::string::npos);
  EXPECT_NE(OneError("url: http://vm/w\nwriteRelabelConfigs:\n  - {action: explode}\n")
                .find("writeRelabelConfigs[0].action"),
            std::string::npos);
}

TEST(RemoteWriteConfig, MalformedInput) {
  EXPECT_NE(OneError("url: [\n").find("rw.yaml"), std::string::npos);
  EXPECT_EQ(OneError(""), "rw.yaml: url: the file is empty; it needs at least url");
  EXPECT_EQ(OneError("# only a comment\n"),
            "rw.yaml: url: the file is empty; it needs at least url");
  EXPECT_NE(OneError("- url: http://vm/w\n").find("expected"), std::string::npos)
      << "a list (several stores) is not this format";
  EXPECT_EQ(OneError("url: http://vm/w\n---\nurl: http://other/w\n"),
            "rw.yaml: expected one YAML document");
  EXPECT_FALSE(Errors("url: http://vm/w\nurl: http://other/w\n").empty()) << "duplicate key";
  EXPECT_FALSE(Errors(std::string("url: http://vm/w\0\n", 18)).empty());
}

TEST(RemoteWriteConfig, HostileInput) {
  // Oversized: refused whole before parsing.
  const std::string big = "url: http://vm/w\nname: " + std::string(kMaxRemoteWriteBytes, 'a');
  EXPECT_NE(OneError(big).find("larger than the limit"), std::string::npos);
  // Long values within the size limit: bounded by their own checks, echoed shortened.
  const std::string long_url = "url: http://vm/" + std::string(5000, 'p') + "\n";
  const std::string e = OneError(long_url);
  EXPECT_NE(e.find("at most 2048 allowed"), std::string::npos);
  EXPECT_LT(e.size(), 400u) << "a huge value is not echoed whole";
  EXPECT_NE(
      OneError("url: http://vm/w\nname: \"" + std::string(101, 'n') + "\"\n").find("at most 100"),
      std::string::npos);
  // Deep nesting and alias bombs do not crash or hang.
  EXPECT_FALSE(
      Errors("url: http://vm/w\nheaders: " + std::string(200, '[') + std::string(200, ']') + "\n")
          .empty());
  EXPECT_FALSE(Errors("a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c]\n"
                      "url: http://vm/w\n")
                   .empty());
  // Non-UTF-8 and control bytes in names are errors, not crashes.
  EXPECT_FALSE(Errors("url: http://vm/w\nname: \"\\x01\\xff\"\n").empty());
  EXPECT_FALSE(Errors("url: \"http://vm/\xff\xfe\"\n").empty());
}

TEST(RemoteWriteConfig, NothingIsAppliedFromAnInvalidFile) {
  const RemoteWriteResult r =
      ParseRemoteWrite("url: http://vm/w\nqueueConfig: {capacity: 0}\n", "rw.yaml");
  ASSERT_FALSE(r.errors.empty());
  EXPECT_TRUE(r.remote_write.url.empty());
}

}  // namespace
}  // namespace pulse::model
