// The loader: directories recursed in sorted order, only manifest files, missing paths reported.
#include "pulse/model/loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pulse/model/parse.h"

namespace pulse::model {
namespace {

namespace fs = std::filesystem;

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pulse-model-loader-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "sub" / "deeper");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const fs::path& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  static std::string Monitor(const std::string& name) {
    return "apiVersion: monitoring.pulse.dev/v1alpha1\nkind: ApiMonitor\nmetadata: {name: " + name +
           "}\nspec: {selector: {}, endpoints: [{port: http}]}\n";
  }
  fs::path dir_;
};

TEST_F(LoaderTest, RecursesSortedAndSkipsOtherFiles) {
  Write("sub/deeper/b.yml", Monitor("b"));
  Write("sub/a.yaml", Monitor("a"));
  Write(
      "c.json",
      R"({"apiVersion":"monitoring.pulse.dev/v1alpha1","kind":"ApiMonitor","metadata":{"name":"c"},"spec":{"selector":{},"endpoints":[{"port":"http"}]}})");
  Write("README.md", "not yaml: [");
  Write("notes.txt", "ignored");
  ParseResult r = LoadPaths({dir_.string()});
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  ASSERT_EQ(r.objects.api_monitors.size(), 3u);
  EXPECT_EQ(r.objects.api_monitors[0].metadata.name,
            "c");  // c.json < sub/a.yaml < sub/deeper/b.yml
  EXPECT_EQ(r.objects.api_monitors[1].metadata.name, "a");
  EXPECT_EQ(r.objects.api_monitors[2].metadata.name, "b");
  EXPECT_EQ(r.objects.api_monitors[2].source.file, (dir_ / "sub/deeper/b.yml").string());
}

TEST_F(LoaderTest, MissingPathIsAnErrorAndTheRestStillLoads) {
  Write("a.yaml", Monitor("a"));
  ParseResult r = LoadPaths({(dir_ / "nope.yaml").string(), (dir_ / "a.yaml").string()});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kIo);
  EXPECT_EQ(r.errors[0].ToString(), (dir_ / "nope.yaml").string() + ": no such file or directory");
  EXPECT_EQ(r.objects.api_monitors.size(), 1u);
}

TEST_F(LoaderTest, EmptyFileGivesANoteNotAnError) {
  Write("empty.yaml", "");
  ParseResult r = LoadPaths({(dir_ / "empty.yaml").string()});
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0], (dir_ / "empty.yaml").string() + ": document 1: empty document skipped");
}

TEST_F(LoaderTest, OversizedFileIsRefusedWithoutReading) {
  {
    std::ofstream out(dir_ / "big.yaml");
    out << "# " << std::string(kMaxInputBytes, 'x') << "\n";
  }
  ParseResult r = LoadPaths({(dir_ / "big.yaml").string()});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].detail, "file is " + std::to_string(kMaxInputBytes + 3) +
                                    " bytes, more than the limit of " +
                                    std::to_string(kMaxInputBytes) + " bytes");
}

}  // namespace
}  // namespace pulse::model
