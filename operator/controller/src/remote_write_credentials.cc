#include "pulse/controller/remote_write_credentials.h"

#include <optional>
#include <set>

#include "pulse/base/base64.h"
#include "pulse/kube/resource.h"
#include "pulse/render/scrape_config_renderer.h"

namespace pulse::controller {

std::vector<std::string> RemoteWriteSecretNames(const model::RemoteWrite& remote_write) {
  std::set<std::string> names;
  for (const auto& ref : model::RemoteWriteSecretRefs(remote_write)) names.insert(ref.name);
  return {names.begin(), names.end()};
}

RemoteWriteCredentialFiles ReadRemoteWriteCredentials(const model::RemoteWrite& remote_write,
                                                      ObjectWriter& reader) {
  const std::string& ns = remote_write.secret_namespace;
  // One GET per Secret, however many of its keys are referenced.
  std::map<std::string, std::optional<Json>> secrets;
  for (const std::string& name : RemoteWriteSecretNames(remote_write)) {
    secrets[name] = reader.Get(kube::Secrets(), ns, name);
  }
  RemoteWriteCredentialFiles out;
  std::set<std::string> missing;
  for (const auto& ref : model::RemoteWriteSecretRefs(remote_write)) {
    const std::optional<Json>& secret = secrets[ref.name];
    std::optional<std::string> value;
    if (secret && secret->contains("data") && (*secret)["data"].contains(ref.key) &&
        (*secret)["data"][ref.key].is_string()) {
      value = base::Base64Decode((*secret)["data"][ref.key].get<std::string>());
    }
    if (!value) {
      missing.insert(ns + "/" + ref.name + " " + ref.key);
      continue;
    }
    out.files[render::CredentialFileName(ns, ref)] = std::move(*value);
  }
  out.missing.assign(missing.begin(), missing.end());
  return out;
}

}  // namespace pulse::controller
