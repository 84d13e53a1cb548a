#include "pulse/controller/resources.h"

namespace pulse::controller {

kube::Resource ApiMonitors() { return {"monitoring.pulse.dev", "v1alpha1", "apimonitors", true}; }
kube::Resource Exporters() { return {"monitoring.pulse.dev", "v1alpha1", "exporters", true}; }
kube::Resource Deployments() { return {"apps", "v1", "deployments", true}; }
kube::Resource Services() { return {"", "v1", "services", true}; }

}  // namespace pulse::controller
