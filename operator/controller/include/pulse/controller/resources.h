// The resources the operator reads and writes beyond those pulse::kube names (resource.h):
// its own custom resources and the exporter workload kinds. Plain values.
#pragma once

#include <nlohmann/json.hpp>

#include "pulse/kube/resource.h"

namespace pulse::controller {

kube::Resource ApiMonitors();  // monitoring.pulse.dev/v1alpha1 apimonitors
kube::Resource Exporters();    // monitoring.pulse.dev/v1alpha1 exporters
kube::Resource Deployments();  // apps/v1 deployments
kube::Resource Services();     // v1 services

// The informers' transform for the custom resources (kube::InformerOptions::transform): drops
// what no reconciler reads and what can be most of a cached object, metadata.managedFields and
// the last-applied-configuration annotation of a client-side `kubectl apply` (a copy of the
// spec), so the cache of 10,000 objects is not mostly bookkeeping.
void DropUnreadFields(nlohmann::json& object);

}  // namespace pulse::controller
