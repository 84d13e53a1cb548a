#include "pulse/controller/object_writer.h"
#include "pulse/kube/event_recorder.h"
#include "pulse/kube/rest_client.h"

namespace pulse::controller {

std::optional<Json> KubeObjectWriter::Get(const kube::Resource& r, const std::string& ns,
                                          const std::string& name) {
  try {
    return client_.Get(r, ns, name);
  } catch (const kube::ApiError& e) {
    if (kube::IsNotFound(e)) return std::nullopt;
    throw;
  }
}

std::vector<Json> KubeObjectWriter::ListMetadata(const kube::Resource& r, const std::string& ns,
                                                 const std::string& label_selector) {
  kube::ListOptions options;
  options.label_selector = label_selector;
  options.limit = 500;
  options.metadata_only = true;
  Json list = client_.ListAll(r, ns, options);
  std::vector<Json> items;
  for (auto& item : list["items"]) items.push_back(std::move(item));
  return items;
}

void KubeObjectWriter::Apply(const kube::Resource& r, const std::string& ns,
                             const std::string& name, const Json& object) {
  kube::ApplyOptions options;
  options.force = true;  // generated objects are ours; a hand edit must not block delivery
  client_.Apply(r, ns, name, object, options);
}

void KubeObjectWriter::PatchStatus(const kube::Resource& r, const std::string& ns,
                                   const std::string& name, const Json& status) {
  client_.MergePatch(r, ns, name, Json{{"status", status}}, "status");
}

void KubeObjectWriter::Delete(const kube::Resource& r, const std::string& ns,
                              const std::string& name) {
  try {
    client_.Delete(r, ns, name);
  } catch (const kube::ApiError& e) {
    if (!kube::IsNotFound(e)) throw;
  }
}

void KubeObjectWriter::WarningEvent(const Json& regarding, const std::string& reason,
                                    const std::string& action, const std::string& note) {
  events_.Record(regarding, kube::EventType::kWarning, reason, action, note);
}

}  // namespace pulse::controller
