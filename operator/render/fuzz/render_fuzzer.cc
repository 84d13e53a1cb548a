// libFuzzer: arbitrary bytes -> parse (YAML and JSON) -> validate -> render everything. The
// renderers must stay memory-safe and deterministic for any object, validated or not (the
// unvalidated objects are rendered too), so anything but a clean return is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pulse/model/parse.h"
#include "pulse/model/validate.h"
#include "pulse/render/render.h"

namespace {

std::size_t RenderBoth(const pulse::model::Objects& objects) {
  pulse::render::RenderOptions options;
  options.alertmanagers = {"am:9093"};
  options.api_server = pulse::render::ExternalApiServer{"https://k:6443", "/ca", "/c", "/k"};
  const pulse::render::RenderInputs inputs{objects.api_monitors, objects.exporters, options};
  const auto first = pulse::render::RenderAll(inputs);
  const auto second = pulse::render::RenderAll(inputs);
  if (first != second) std::abort();  // determinism
  std::size_t total = 0;
  for (const auto& f : first) total += f.path.size() + f.content.size();
  return total;
}

std::size_t Exercise(const pulse::model::ParseResult& parsed) {
  const pulse::model::CheckedObjects checked = pulse::model::ValidateParsed(parsed);
  return RenderBoth(checked.valid) + RenderBoth(parsed.objects);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  volatile std::size_t sink = 0;
  sink = sink + Exercise(pulse::model::ParseYaml(text, "fuzz.yaml"));
  sink = sink + Exercise(pulse::model::ParseJson(text, "fuzz.json"));
  return 0;
}
