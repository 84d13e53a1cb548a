// Reconciles one ApiMonitor: parse it, read the Secrets it references (GET by name), validate it
// on its own (require_secrets: a reference must resolve), record it as accepted or rejected for
// the shared config, write its status (observedGeneration, Accepted, Ready, generated scrape
// jobs and dashboard uid) when it differs from the live one, and post one InvalidSpec Warning
// Event per rejected generation. The shared config itself is the ConfigReconciler's job.
//
// Thread-safety: thread-safe (state is in the thread-safe parts it holds).
#pragma once

#include "pulse/controller/cr_status.h"
#include "pulse/controller/object_reconciler.h"
#include "pulse/controller/reconciler.h"

namespace pulse::controller {

class ApiMonitorReconciler final : public Reconciler {
 public:
  explicit ApiMonitorReconciler(ObjectReconcilerDeps deps) : deps_(std::move(deps)) {}
  Result Reconcile(const std::string& key) override;

 private:
  ObjectReconcilerDeps deps_;
  RejectionEvents events_;
};

}  // namespace pulse::controller
