// Reconciles one Exporter: parse, read its referenced Secrets by name, validate it alone; when
// accepted, apply its workload (BuildExporterWorkload: config ConfigMap + Deployment + Service,
// owned by the Exporter so the garbage collector removes them with it) and record it for the
// shared config (its scrape job, rules, dashboard); write status and rejection Events as the
// ApiMonitor reconciler does. A rejected Exporter's existing workload is left running with its
// last good config (rejecting a typo must not take monitoring down).
//
// The workload is applied only when its content hash differs from the last one applied by this
// process (server-side apply of identical content would not change the objects either, but
// this saves the requests).
//
// Thread-safety: thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "pulse/controller/cr_status.h"
#include "pulse/controller/exporter_workload.h"
#include "pulse/controller/object_reconciler.h"
#include "pulse/controller/reconciler.h"

namespace pulse::controller {

class ExporterReconciler final : public Reconciler {
 public:
  explicit ExporterReconciler(ObjectReconcilerDeps deps, ExporterWorkloadOptions workload = {})
      : deps_(std::move(deps)), workload_(std::move(workload)) {}
  Result Reconcile(const std::string& key) override;

 private:
  ObjectReconcilerDeps deps_;
  const ExporterWorkloadOptions workload_;
  RejectionEvents events_;
  std::mutex mu_;                               // guards applied_
  std::map<std::string, std::string> applied_;  // key -> workload hash last applied
};

}  // namespace pulse::controller
