// `pulse-operator render` as a user runs it: good input writes the golden output, bad input
// exits non-zero with the full error list and leaves OUTDIR exactly as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "golden_cases.h"

namespace pulse::render {
namespace {
namespace fs = std::filesystem;

struct CliResult {
  int exit_code;
  std::string out;
  std::string err;
};

class RenderCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pulse-render-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }

  CliResult Render(const std::string& args) {
    const fs::path err_file = dir_ / "stderr.txt";
    std::string out;
    const int status = testenv::Shell(
        std::string(PULSE_OPERATOR_BIN) + " " + args + " 2>" + Quote(err_file.string()), &out,
        /*merge_stderr=*/false);
    return {status, out, Read(err_file)};  // Shell() already decodes the exit status
  }

  static std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void Write(const fs::path& p, const std::string& content) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  // Entries beside OUTDIR other than the ones a test created: leftovers of a temp dir.
  std::vector<std::string> Leftovers() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      const std::string name = e.path().filename().string();
      if (name.find(".render-") != std::string::npos) out.push_back(name);
    }
    return out;
  }

  fs::path dir_;
};

const char* kBadMonitor = R"(apiVersion: monitoring.pulse.dev/v1alpha1
kind: ApiMonitor
metadata: {name: broken, namespace: shop}
spec:
  selector: {matchLabels: {app: broken}}
  endpoints:
    - port: http
      interval: 15s
      scrapeTimeout: 30s
      relabelings:
        - sourceLabels: [a]
          regex: "([unclosed"
          targetLabel: b
)";

TEST_F(RenderCli, GoodInputWritesTheGoldenFiles) {
  const fs::path out = dir_ / "out";
  const CliResult r =
      Render("render -f " + Quote(testing::SourcePath("examples/crs")) + " -o " +
             Quote(out.string()) + " --alertmanager alertmanager.monitoring.svc:9093");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rendered 3 ApiMonitor(s) and 4 Exporter(s)"), std::string::npos) << r.out;
  const fs::path golden = testing::SourcePath("tests/render/golden/examples");
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(golden)) {
    if (!e.is_regular_file()) continue;
    ++files;
    const fs::path rel = fs::relative(e.path(), golden);
    EXPECT_EQ(Read(out / rel), Read(e.path())) << rel;
  }
  EXPECT_GT(files, 10);
  EXPECT_TRUE(Leftovers().empty()) << ::testing::PrintToString(Leftovers());
}

TEST_F(RenderCli, BadInputFailsWithEveryErrorAndWritesNothing) {
  Write(dir_ / "in" / "bad.yaml", kBadMonitor);
  const fs::path out = dir_ / "out";
  const CliResult r =
      Render("render -f " + Quote((dir_ / "in").string()) + " " +
             Quote(testing::SourcePath("examples/crs")) + " -o " + Quote(out.string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(Leftovers().empty());
  // file, object, field path and value of both problems
  EXPECT_NE(r.err.find("bad.yaml: ApiMonitor shop/broken: spec.endpoints[0].scrapeTimeout"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("30s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("spec.endpoints[0].relabelings[0].regex"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("([unclosed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing written"), std::string::npos) << r.err;
}

TEST_F(RenderCli, FailureLeavesPreviousOutputUntouched) {
  const fs::path out = dir_ / "out";
  ASSERT_EQ(Render("render -f " + Quote(testing::SourcePath("examples/crs/shop.yaml")) + " -o " +
                   Quote(out.string()))
                .exit_code,
            0);
  const std::string before = Read(out / "prometheus.yml");
  Write(dir_ / "bad.yaml", kBadMonitor);
  EXPECT_EQ(
      Render("render -f " + Quote((dir_ / "bad.yaml").string()) + " -o " + Quote(out.string()))
          .exit_code,
      1);
  EXPECT_EQ(Read(out / "prometheus.yml"), before);
  // A second good render replaces the directory (old rule files of removed objects disappear).
  ASSERT_EQ(Render("render -f " + Quote(testing::SourcePath("examples/crs/crm.yaml")) + " -o " +
                   Quote(out.string()))
                .exit_code,
            0);
  EXPECT_FALSE(fs::exists(out / "rules" / "apimonitor_default_shop.yaml"));
  EXPECT_TRUE(fs::exists(out / "rules" / "apimonitor_default_crm.yaml"));
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(RenderCli, KeepGoingRendersTheValidObjects) {
  Write(dir_ / "bad.yaml", kBadMonitor);
  const fs::path out = dir_ / "out";
  const CliResult r =
      Render("render --keep-going -f " + Quote((dir_ / "bad.yaml").string()) + " " +
             Quote(testing::SourcePath("examples/crs/shop.yaml")) + " -o " + Quote(out.string()));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("shop/broken"), std::string::npos);
  EXPECT_TRUE(fs::exists(out / "rules" / "apimonitor_default_shop.yaml"));
  EXPECT_FALSE(fs::exists(out / "rules" / "apimonitor_shop_broken.yaml"));
  EXPECT_EQ(Read(out / "prometheus.yml").find("broken"), std::string::npos);
}

TEST_F(RenderCli, RefusesToReplaceADirectoryWithOtherFiles) {
  const fs::path out = dir_ / "out";
  Write(out / "notes.txt", "mine");
  const CliResult r = Render("render -f " + Quote(testing::SourcePath("examples/crs")) + " -o " +
                             Quote(out.string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("notes.txt"), std::string::npos) << r.err;
  EXPECT_EQ(Read(out / "notes.txt"), "mine");
  EXPECT_FALSE(fs::exists(out / "prometheus.yml"));
}

TEST_F(RenderCli, MissingInputPathIsAnError) {
  const CliResult r = Render("render -f " + Quote((dir_ / "nope").string()) + " -o " +
                             Quote((dir_ / "out").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(RenderCli, UsageErrors) {
  const std::string in = Quote(testing::SourcePath("examples/crs"));
  const std::string out = Quote((dir_ / "out").string());
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"render -o " + out, "no input"},
      {"render -f " + in, "no output directory"},
      {"render -f " + in + " -o " + out + " --bogus", "unknown argument \"--bogus\""},
      {"render -f " + in + " -o " + out + " --alertmanager nohost", "host:port"},
      {"render -f " + in + " -o " + out + " --alertmanager am:99999", "host:port"},
      {"render -f " + in + " -o " + out + " --ca-file /x", "need --prometheus-external-api-server"},
      {"render -f " + in + " -o " + out +
           " --prometheus-external-api-server https://k:6443 --cert-file /c",
       "go together"},
      {"render -f " + in + " -o " + out + " --prometheus-external-api-server k:6443",
       "http(s) URL"},
      {"render -f " + in + " -o", "-o needs a value"},
      {"frobnicate", "unknown command"},
  };
  for (const auto& c : cases) {
    const CliResult r = Render(c.args);
    EXPECT_EQ(r.exit_code, 64) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(RenderCli, HelpAndVersion) {
  CliResult r = Render("render --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Usage: pulse-operator render -f PATH... -o OUTDIR"), std::string::npos);
  EXPECT_NE(r.out.find("--keep-going"), std::string::npos);
  r = Render("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("render"), std::string::npos);
  r = Render("version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("pulse-operator ", 0), 0u);
}

// What the parser skipped on purpose is said on stderr (it used to be dropped): another kind,
// an empty document, an empty file. The render still succeeds.
TEST_F(RenderCli, ParserNotesGoToStderr) {
  Write(dir_ / "in" / "mixed.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\n---\n"
        "# nothing here\n---\n" +
            Read(testing::SourcePath("examples/crs/shop.yaml")));
  Write(dir_ / "in" / "empty.yaml", "");
  const fs::path out = dir_ / "out";
  const CliResult r =
      Render("render -f " + Quote((dir_ / "in").string()) + " -o " + Quote(out.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string mixed = (dir_ / "in" / "mixed.yaml").string();
  EXPECT_NE(r.err.find("note: " + mixed +
                       ": document 1: skipped v1 ConfigMap shop/settings (not a pulse kind)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("note: " + mixed + ": document 2: empty document skipped"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("note: " + (dir_ / "in" / "empty.yaml").string() +
                       ": document 1: empty document skipped"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(fs::exists(out / "prometheus.yml"));
  // Without anything skipped there is no note.
  const CliResult clean =
      Render("render -f " + Quote(testing::SourcePath("examples/crs/shop.yaml")) + " -o " +
             Quote((dir_ / "out2").string()));
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(clean.err.find("note:"), std::string::npos) << clean.err;
}

// --alert-defaults: applied to the shared rules (and said in a note); an invalid file fails the
// render with errors naming the file and field path, and writes nothing.
TEST_F(RenderCli, AlertDefaultsFile) {
  const std::string shop = Quote(testing::SourcePath("examples/crs/shop.yaml"));
  Write(dir_ / "defaults.yaml",
        "apiMonitor:\n  errorRatio: {threshold: 0.02, runbookURL: 'https://rb.example/e'}\n"
        "  targetDown: {enabled: false}\n");
  const fs::path out = dir_ / "out";
  CliResult r = Render("render -f " + shop + " -o " + Quote(out.string()) + " --alert-defaults " +
                       Quote((dir_ / "defaults.yaml").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("alert defaults applied to apiMonitor.errorRatio, apiMonitor.targetDown"),
            std::string::npos)
      << r.err;
  const std::string alerts = Read(out / "rules" / "apimonitors-alerts.yaml");
  EXPECT_NE(alerts.find("pulse_apimonitor:http_request_errors:ratio_rate5m * 0 + 0.02"),
            std::string::npos)
      << alerts;
  EXPECT_NE(alerts.find("runbook_url: https://rb.example/e"), std::string::npos);
  EXPECT_EQ(alerts.find("PulseApiTargetDown"), std::string::npos) << "switched off cluster-wide";

  Write(dir_ / "bad.yaml", "apiMonitor:\n  errorRatio: {threshold: 5}\n");
  r = Render("render -f " + shop + " -o " + Quote((dir_ / "out-bad").string()) +
             " --alert-defaults=" + Quote((dir_ / "bad.yaml").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find((dir_ / "bad.yaml").string() +
                       ": apiMonitor.errorRatio.threshold: 5 is out of range (0, 1]"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing written"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out-bad"));

  r = Render("render -f " + shop + " -o " + Quote((dir_ / "out-bad").string()) +
             " --alert-defaults " + Quote((dir_ / "missing.yaml").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.yaml: cannot read the alert defaults file"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out-bad"));
}

TEST_F(RenderCli, ExternalApiServerFlagsReachTheConfig) {
  const fs::path out = dir_ / "out";
  const CliResult r = Render("render -f " + Quote(testing::SourcePath("examples/crs/shop.yaml")) +
                             " -o " + Quote(out.string()) +
                             " --prometheus-external-api-server https://127.0.0.1:6443 --ca-file "
                             "/k/ca.crt --cert-file=/k/c.crt --key-file /k/c.key");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string config = Read(out / "prometheus.yml");
  EXPECT_NE(config.find("api_server: https://127.0.0.1:6443"), std::string::npos) << config;
  EXPECT_NE(config.find("cert_file: /k/c.crt"), std::string::npos);
  EXPECT_NE(config.find("key_file: /k/c.key"), std::string::npos);
}

// --exporter-static-targets (deploy/docker-compose.yml): every Exporter's job scrapes its
// workload hostname statically; without the flag the same input is discovered through
// Kubernetes. The flag is in --help.
TEST_F(RenderCli, ExporterStaticTargetsFlagReachesTheConfig) {
  const std::string in = Quote(testing::SourcePath("examples/crs"));
  CliResult r = Render("render -f " + in + " -o " + Quote((dir_ / "static").string()) +
                       " --exporter-static-targets");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string config = Read(dir_ / "static" / "prometheus.yml");
  for (const char* target : {"pulse-exporter-mes-db:9187", "pulse-exporter-rabbitmq:9187",
                             "pulse-exporter-s3:9187", "pulse-exporter-shop-db:9187"}) {
    EXPECT_NE(config.find("    - " + std::string(target) + "\n"), std::string::npos) << target;
  }
  // The ApiMonitors of examples/ use selectors: still discovered.
  EXPECT_NE(config.find("kubernetes_sd_configs"), std::string::npos);
  r = Render("render -f " + in + " -o " + Quote((dir_ / "k8s").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Read(dir_ / "k8s" / "prometheus.yml").find(":9187"), std::string::npos);
  r = Render("render --help");
  EXPECT_NE(r.out.find("--exporter-static-targets"), std::string::npos);
}

}  // namespace
}  // namespace pulse::render
