#include "pulse/kube/enqueue_handler.h"

namespace pulse::kube {
namespace {

void Enqueue(WorkQueue& queue, const ObjectPtr& object) {
  if (!object) return;
  try {
    queue.Add(KeyOf(*object));
  } catch (const std::invalid_argument&) {
    // Nothing to reconcile without a name; the informer has already rejected such objects.
  }
}

}  // namespace

EventHandler EnqueueKeys(WorkQueue& queue) {
  EventHandler h;
  h.on_add = [&queue](const ObjectPtr& o) { Enqueue(queue, o); };
  h.on_update = [&queue](const ObjectPtr&, const ObjectPtr& o) { Enqueue(queue, o); };
  h.on_delete = [&queue](const ObjectPtr& o) { Enqueue(queue, o); };
  return h;
}

}  // namespace pulse::kube
