// The resources the operator reads and writes beyond those pulse::kube names (resource.h):
// its own custom resources and the exporter workload kinds. Plain values.
#pragma once

#include "pulse/kube/resource.h"

namespace pulse::controller {

kube::Resource ApiMonitors();  // monitoring.pulse.dev/v1alpha1 apimonitors
kube::Resource Exporters();    // monitoring.pulse.dev/v1alpha1 exporters
kube::Resource Deployments();  // apps/v1 deployments
kube::Resource Services();     // v1 services

}  // namespace pulse::controller
