// libFuzzer: arbitrary bytes through both parsers, then validation and message formatting.
// Anything but a clean return (crash, sanitizer report, hang, huge allocation) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pulse/model/duration.h"
#include "pulse/model/parse.h"
#include "pulse/model/validate.h"

namespace {

std::size_t Exercise(const pulse::model::ParseResult& parsed) {
  std::size_t total = 0;
  const pulse::model::CheckedObjects checked =
      pulse::model::ValidateParsed(parsed, {.require_secrets = true});
  for (const pulse::model::Error& e : checked.errors) total += e.ToString().size();
  for (const auto& m : checked.valid.api_monitors) {
    for (std::size_t i = 0; i < m.spec.endpoints.size(); ++i) {
      total += pulse::model::ScrapeJobName(m, i).size();
      total += pulse::model::EffectiveScrapeTimeout(m.spec.endpoints[i]).text.size();
    }
  }
  return total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  volatile std::size_t sink = 0;
  sink = sink + Exercise(pulse::model::ParseYaml(text, "fuzz.yaml"));
  sink = sink + Exercise(pulse::model::ParseJson(text, "fuzz.json"));
  if (size < 64) {
    auto d = pulse::model::ParseDuration(text);
    if (d.ok()) sink = sink + pulse::model::FormatDuration(d.value().value).size();
  }
  return 0;
}
