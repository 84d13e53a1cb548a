#include "pulse/controller/scrape_credentials.h"

#include "pulse/render/scrape_config_renderer.h"

namespace pulse::controller {

std::map<std::string, std::string> ScrapeCredentials(const model::ApiMonitor& monitor,
                                                     const std::vector<model::Secret>& secrets) {
  const std::string& ns = monitor.metadata.namespace_;
  std::map<std::string, std::string> out;
  auto add = [&](const model::SecretKeySelector& ref) {
    for (const model::Secret& s : secrets) {
      if (s.metadata.name != ref.name || s.metadata.namespace_ != ns) continue;
      auto it = s.data.find(ref.key);
      if (it != s.data.end()) out[render::CredentialFileName(ns, ref)] = it->second;
      return;
    }
  };
  for (const model::Endpoint& ep : monitor.spec.endpoints) {
    if (ep.tls) {
      for (const auto* ref : {&ep.tls->ca, &ep.tls->cert, &ep.tls->key}) {
        if (*ref) add(**ref);
      }
    }
    if (ep.basic_auth) {
      add(ep.basic_auth->username);
      add(ep.basic_auth->password);
    }
    if (ep.bearer_token_secret) add(*ep.bearer_token_secret);
  }
  return out;
}

}  // namespace pulse::controller
