// The glue between an informer and a reconciler (controller-runtime's EnqueueRequestForObject):
// every add, update and delete puts the object's "namespace/name" key into a WorkQueue, so the
// reconciler sees each changed object once, level-based, however many events it had.
#pragma once

#include "pulse/kube/informer.h"
#include "pulse/kube/work_queue.h"

namespace pulse::kube {

// The queue must outlive the informer's use of the handler. Objects without a name are ignored.
EventHandler EnqueueKeys(WorkQueue& queue);

}  // namespace pulse::kube
