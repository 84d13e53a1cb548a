// Credential sources: env, files (mounted Secrets) and the messages when they cannot be read.
#include "pulse/exporter/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace pulse::exporter {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/pulse-cred-XXXXXX";
    const int fd = mkstemp(name);
    path_ = name;
    if (fd >= 0) {
      if (write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
        ADD_FAILURE() << "short write";
      }
      close(fd);
    }
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Credentials, EnvVariable) {
  setenv("PULSE_TEST_SECRET", "s3cr3t", 1);
  auto r = ResolveCredential({Credential::Source::kEnv, "PULSE_TEST_SECRET"});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.value, "s3cr3t");
  unsetenv("PULSE_TEST_SECRET");
  r = ResolveCredential({Credential::Source::kEnv, "PULSE_TEST_SECRET"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "environment variable PULSE_TEST_SECRET is not set or empty");
}

TEST(Credentials, FileStripsOneTrailingNewline) {
  TempFile f("pa ss\n\n");
  auto r = ResolveCredential({Credential::Source::kFile, f.path()});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.value, "pa ss\n");
  TempFile crlf("x\r\n");
  EXPECT_EQ(ResolveCredential({Credential::Source::kFile, crlf.path()}).value, "x");
}

TEST(Credentials, UnreadableFileSaysWhyWithoutContent) {
  auto r = ResolveCredential({Credential::Source::kFile, "/nonexistent/pulse/secret"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error,
            "cannot read credentials file /nonexistent/pulse/secret: No such file or directory");
  TempFile empty("");
  r = ResolveCredential({Credential::Source::kFile, empty.path()});
  EXPECT_EQ(r.error, "credentials file " + empty.path() + " is empty");
  TempFile big(std::string(kMaxCredentialFileBytes + 10, 'a'));
  r = ResolveCredential({Credential::Source::kFile, big.path()});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("is larger than"), std::string::npos);
  r = ResolveCredential({Credential::Source::kFile, "/tmp"});  // a directory
  EXPECT_FALSE(r.ok);
}

TEST(Credentials, CheckCredentialsNamesFieldPaths) {
  ExporterConfig config;
  TargetConfig t;
  t.name = "db";
  t.type = TargetType::kPostgreSql;
  PostgresSpec pg;
  pg.host = "h";
  pg.user = {Credential::Source::kLiteral, "u"};
  pg.password = Credential{Credential::Source::kFile, "/nonexistent/pw"};
  t.spec = pg;
  config.targets.push_back(t);
  const auto errors = CheckCredentials(config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "targets[0].postgresql.password");
  EXPECT_EQ(errors[0].message,
            "cannot read credentials file /nonexistent/pw: No such file or directory");
}

}  // namespace
}  // namespace pulse::exporter
