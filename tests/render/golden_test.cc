// Pins every renderer's output for the golden cases (golden_cases.h). To accept a change on
// purpose: PULSE_UPDATE_GOLDEN=1 ctest -R operator_render_golden_test (or run the binary with
// that variable), then review `git diff tests/render/golden dashboards`.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "golden_cases.h"
#include "pulse/render/dashboard_renderer.h"
#include "pulse/render/exporter_config_renderer.h"
#include "pulse/render/render.h"

namespace pulse::render {
namespace {
namespace fs = std::filesystem;
using testing::GoldenCase;

bool UpdateGolden() {
  const char* v = std::getenv("PULSE_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// First differing line, for a readable failure instead of two 2,000-line strings.
std::string FirstDifference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool ha = static_cast<bool>(std::getline(a, la));
    const bool hb = static_cast<bool>(std::getline(b, lb));
    if (!ha && !hb) return "identical";
    if (!ha || !hb || la != lb) {
      return "line " + std::to_string(line) + ":\n  golden:   " + (ha ? la : "<end>") +
             "\n  rendered: " + (hb ? lb : "<end>");
    }
  }
}

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, MatchesGoldenFiles) {
  const GoldenCase& c = GetParam();
  std::vector<std::string> errors;
  const model::Objects objects = testing::LoadCase(c, &errors);
  ASSERT_TRUE(errors.empty()) << "inputs of case " << c.name << " must be valid:\n"
                              << ::testing::PrintToString(errors);
  ASSERT_FALSE(objects.api_monitors.empty() && objects.exporters.empty());
  // What `pulse-operator render` writes: RenderAll plus one exporter config per Exporter.
  std::vector<RenderedFile> files = RenderAll({objects.api_monitors, objects.exporters, c.options});
  for (auto& f : RenderExporterConfigs(objects.exporters)) files.push_back(std::move(f));
  const fs::path dir = testing::SourcePath("tests/render/golden/" + c.name);

  if (UpdateGolden()) {
    fs::remove_all(dir);
    for (const auto& f : files) WriteFile(dir / f.path, f.content);
    GTEST_SKIP() << "rewrote " << files.size() << " golden files in " << dir;
  }

  std::set<std::string> golden_paths;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) golden_paths.insert(fs::relative(entry.path(), dir).string());
  }
  std::set<std::string> rendered_paths;
  for (const auto& f : files) {
    rendered_paths.insert(f.path);
    if (golden_paths.count(f.path) == 0) {
      ADD_FAILURE() << c.name << ": rendered " << f.path << " has no golden file";
      continue;
    }
    const std::string want = ReadFile(dir / f.path);
    EXPECT_EQ(want, f.content) << c.name << "/" << f.path << " differs at "
                               << FirstDifference(want, f.content)
                               << "\n(PULSE_UPDATE_GOLDEN=1 regenerates)";
  }
  for (const auto& p : golden_paths) {
    EXPECT_TRUE(rendered_paths.count(p) == 1)
        << c.name << ": golden " << p << " is no longer rendered";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(testing::GoldenCases()),
                         [](const auto& info) { return info.param.name; });

// The dashboards shipped in dashboards/ (for Grafana without the operator, e.g. deploy/) are
// the rendered ones.
TEST(ShippedDashboards, MatchTheRenderer) {
  const std::pair<const char*, std::string> shipped[] = {
      {"dashboards/pulse-overview.json", RenderOverviewDashboard({})},
      {"dashboards/pulse-red.json", RenderRedDashboard({})},
  };
  for (const auto& [relative, rendered] : shipped) {
    const fs::path path = testing::SourcePath(relative);
    if (UpdateGolden()) {
      WriteFile(path, rendered);
      continue;
    }
    EXPECT_EQ(ReadFile(path), rendered) << relative << " (PULSE_UPDATE_GOLDEN=1 regenerates)";
  }
  if (UpdateGolden()) GTEST_SKIP() << "rewrote the shipped dashboards";
}

}  // namespace
}  // namespace pulse::render
