#include "pulse/render/render.h"

#include <algorithm>

namespace pulse::render {

std::vector<RenderedFile> RenderAll(const RenderInputs& inputs) {
  std::vector<RenderedFile> files;
  files.push_back({kPrometheusConfigPath, RenderPrometheusConfig(inputs)});
  for (auto& f : RenderRuleFiles(inputs)) files.push_back(std::move(f));
  for (auto& f : RenderDashboards(inputs)) files.push_back(std::move(f));
  std::sort(files.begin(), files.end(),
            [](const RenderedFile& a, const RenderedFile& b) { return a.path < b.path; });
  return files;
}

}  // namespace pulse::render
