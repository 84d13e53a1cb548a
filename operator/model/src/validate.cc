// Validate(): every object on its own, then the rules that span objects.
#include "pulse/model/validate.h"

#include <map>
#include <set>

#include "checks.h"

namespace pulse::model {
namespace {

struct Claim {
  std::size_t object;  // index into the combined ApiMonitor-then-Exporter order
  std::string path;
};

std::string Where(const Source& source) { return source.file.empty() ? "" : " in " + source.file; }

}  // namespace

std::vector<Error> ValidationResult::AllErrors() const {
  std::vector<Error> all;
  for (const ObjectErrors& o : rejected) all.insert(all.end(), o.errors.begin(), o.errors.end());
  return all;
}

ValidationResult Validate(const Objects& objects, const ValidateOptions& options) {
  const std::size_t monitors = objects.api_monitors.size();
  const std::size_t total = monitors + objects.exporters.size();
  std::vector<std::vector<Error>> errors(total);
  for (std::size_t i = 0; i < monitors; ++i) {
    errors[i] = ValidateApiMonitor(objects.api_monitors[i], objects.secrets, options);
  }
  for (std::size_t i = 0; i < objects.exporters.size(); ++i) {
    errors[monitors + i] = ValidateExporter(objects.exporters[i], objects.secrets, options);
  }

  auto identity = [&](std::size_t i) {
    return i < monitors
               ? std::pair(std::string(kApiMonitorKind), &objects.api_monitors[i].metadata)
               : std::pair(std::string(kExporterKind), &objects.exporters[i - monitors].metadata);
  };
  auto source = [&](std::size_t i) -> const Source& {
    return i < monitors ? objects.api_monitors[i].source : objects.exporters[i - monitors].source;
  };

  // Scrape job names must be unique across everything rendered into one Prometheus config.
  std::map<std::string, std::vector<Claim>> jobs;
  for (std::size_t i = 0; i < monitors; ++i) {
    const ApiMonitor& m = objects.api_monitors[i];
    for (std::size_t e = 0; e < m.spec.endpoints.size(); ++e) {
      jobs[ScrapeJobName(m, e)].push_back({i, internal::Index("spec.endpoints", e)});
    }
  }
  for (std::size_t i = 0; i < objects.exporters.size(); ++i) {
    jobs[ScrapeJobName(objects.exporters[i])].push_back({monitors + i, "metadata.name"});
  }
  std::set<std::size_t> reported;  // one duplicate error per object is enough
  for (const auto& [job, claims] : jobs) {
    if (claims.size() < 2) continue;
    for (const Claim& claim : claims) {
      if (!reported.insert(claim.object).second) continue;
      const Claim& other = claim.object == claims[0].object ? claims[1] : claims[0];
      const auto [kind, meta] = identity(claim.object);
      const auto [other_kind, other_meta] = identity(other.object);
      Error e;
      e.code = ErrorCode::kDuplicate;
      e.file = source(claim.object).file;
      e.kind = kind;
      e.namespace_ = meta->namespace_;
      e.name = meta->name;
      e.path = claim.path;
      e.value = job;
      e.detail = "scrape job \"" + job + "\" is also rendered by " + other_kind + " " +
                 other_meta->namespace_ + "/" + other_meta->name + Where(source(other.object)) +
                 " (duplicate object?)";
      errors[claim.object].push_back(std::move(e));
    }
  }

  ValidationResult result;
  result.valid.secrets = objects.secrets;
  for (std::size_t i = 0; i < total; ++i) {
    const auto [kind, meta] = identity(i);
    if (errors[i].empty()) {
      if (i < monitors) {
        result.valid.api_monitors.push_back(objects.api_monitors[i]);
      } else {
        result.valid.exporters.push_back(objects.exporters[i - monitors]);
      }
      continue;
    }
    result.rejected.push_back(
        ObjectErrors{kind, meta->namespace_, meta->name, source(i), std::move(errors[i])});
  }
  return result;
}

CheckedObjects ValidateParsed(const ParseResult& parsed, const ValidateOptions& options) {
  ValidationResult v = Validate(parsed.objects, options);
  CheckedObjects out;
  out.valid = std::move(v.valid);
  out.errors = parsed.errors;
  for (Error& e : v.AllErrors()) out.errors.push_back(std::move(e));
  out.notes = parsed.notes;
  return out;
}

}  // namespace pulse::model
