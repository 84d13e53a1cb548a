#include "pulse/controller/resources.h"

namespace pulse::controller {

kube::Resource ApiMonitors() { return {"monitoring.pulse.dev", "v1alpha1", "apimonitors", true}; }
kube::Resource Exporters() { return {"monitoring.pulse.dev", "v1alpha1", "exporters", true}; }
kube::Resource Deployments() { return {"apps", "v1", "deployments", true}; }
kube::Resource Services() { return {"", "v1", "services", true}; }

void DropUnreadFields(nlohmann::json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return;
  meta->erase("managedFields");
  auto annotations = meta->find("annotations");
  if (annotations == meta->end() || !annotations->is_object()) return;
  annotations->erase("kubectl.kubernetes.io/last-applied-configuration");
  if (annotations->empty()) meta->erase(annotations);
}

}  // namespace pulse::controller
