#include "pulse/controller/cr_status.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "pulse/render/exporter_config_renderer.h"

namespace pulse::controller {

std::string FormatTime(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Json BuildStatus(const Json& live_status, std::int64_t generation,
                 const std::vector<Condition>& conditions, const Json& generated,
                 std::chrono::system_clock::time_point now) {
  std::map<std::string, Json> live;
  if (live_status.is_object() && live_status.contains("conditions") &&
      live_status["conditions"].is_array()) {
    for (const Json& c : live_status["conditions"]) {
      if (c.is_object() && c.contains("type") && c["type"].is_string()) {
        live[c["type"].get<std::string>()] = c;
      }
    }
  }
  Json out = Json::object();
  out["observedGeneration"] = generation;
  Json list = Json::array();
  for (const Condition& c : conditions) {
    const std::string status = c.status ? "True" : "False";
    std::string transition = FormatTime(now);
    auto it = live.find(c.type);
    if (it != live.end() && it->second.value("status", "") == status &&
        it->second.contains("lastTransitionTime") && it->second["lastTransitionTime"].is_string()) {
      transition = it->second["lastTransitionTime"].get<std::string>();
    }
    list.push_back({{"type", c.type},
                    {"status", status},
                    {"reason", c.reason},
                    {"message", c.message},
                    {"lastTransitionTime", transition},
                    {"observedGeneration", generation}});
  }
  out["conditions"] = std::move(list);
  out["generated"] = generated.is_null() ? Json::object() : generated;
  return out;
}

std::string ErrorsMessage(const std::vector<model::Error>& errors) {
  std::string out;
  for (const model::Error& e : errors) {
    std::string line = e.path.empty() ? std::string() : e.path + ": ";
    line += e.detail.empty() ? model::ErrorCodeName(e.code) : e.detail;
    if (!e.value.empty() && line.find(e.value) == std::string::npos) {
      line += " (value \"" + e.value.substr(0, 200) + "\")";
    }
    if (!out.empty()) out += "; ";
    if (out.size() + line.size() > 4096) {
      out += "... and more";
      break;
    }
    out += line;
  }
  return out;
}

namespace {
void AddTls(std::set<std::string>& names, const std::optional<model::TlsConfig>& tls) {
  if (!tls) return;
  for (const auto* ref : {&tls->ca, &tls->cert, &tls->key}) {
    if (*ref) names.insert((*ref)->name);
  }
}
}  // namespace

std::vector<std::string> ReferencedSecrets(const model::ApiMonitor& monitor) {
  std::set<std::string> names;
  for (const model::Endpoint& ep : monitor.spec.endpoints) {
    AddTls(names, ep.tls);
    if (ep.basic_auth) {
      names.insert(ep.basic_auth->username.name);
      names.insert(ep.basic_auth->password.name);
    }
    if (ep.bearer_token_secret) names.insert(ep.bearer_token_secret->name);
  }
  names.erase("");
  return {names.begin(), names.end()};
}

std::vector<std::string> ReferencedSecrets(const model::Exporter& exporter) {
  // The renderer's own lists of what the exporter's pod reads from Secrets: the one truth of
  // which Secrets an Exporter needs.
  std::set<std::string> names;
  for (const auto& env : render::ExporterEnvVars(exporter)) names.insert(env.secret.name);
  for (const auto& file : render::ExporterSecretFiles(exporter)) names.insert(file.secret.name);
  names.erase("");
  return {names.begin(), names.end()};
}

bool RejectionEvents::ShouldPost(const std::string& key, const std::string& uid,
                                 std::int64_t generation, const std::string& message) {
  const std::string record = uid + "/" + std::to_string(generation) + "/" + message;
  std::lock_guard lock(mu_);
  auto& posted = posted_[key];
  if (posted == record) return false;
  posted = record;
  return true;
}

void RejectionEvents::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  posted_.erase(key);
}

}  // namespace pulse::controller
