// The small interface between the reconcilers and the Kubernetes API: the few reads and writes
// they make. Production uses KubeObjectWriter (the REST client, server-side apply with field
// manager pulse-operator, events.k8s.io Events); unit tests use a fake that records calls, so
// reconcilers are tested without a server.
//
// Errors: implementations throw kube::ApiError (a fake may throw one to test error paths).
// Thread-safety: implementations must be thread-safe (several workers share one).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pulse/kube/resource.h"

namespace pulse::kube {
class Client;
class EventRecorder;
}  // namespace pulse::kube

namespace pulse::controller {

using Json = nlohmann::json;

class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  // nullopt when the object does not exist.
  virtual std::optional<Json> Get(const kube::Resource& r, const std::string& ns,
                                  const std::string& name) = 0;
  // apiVersion, kind and metadata of the items of a list in one namespace, filtered by a label
  // selector (not their data: the delivered objects hold megabytes of it).
  virtual std::vector<Json> ListMetadata(const kube::Resource& r, const std::string& ns,
                                         const std::string& label_selector) = 0;
  // Server-side apply (force: the operator owns what it generates).
  virtual void Apply(const kube::Resource& r, const std::string& ns, const std::string& name,
                     const Json& object) = 0;
  // Replaces .status through the status subresource (JSON merge patch of {"status": ...}).
  virtual void PatchStatus(const kube::Resource& r, const std::string& ns, const std::string& name,
                           const Json& status) = 0;
  // Deleting an absent object is not an error.
  virtual void Delete(const kube::Resource& r, const std::string& ns, const std::string& name) = 0;
  // A Warning Event about `regarding` (apiVersion, kind, metadata of the object).
  virtual void WarningEvent(const Json& regarding, const std::string& reason,
                            const std::string& action, const std::string& note) = 0;
};

class KubeObjectWriter final : public ObjectWriter {
 public:
  // Both must outlive the writer.
  KubeObjectWriter(const kube::Client& client, const kube::EventRecorder& events)
      : client_(client), events_(events) {}
  std::optional<Json> Get(const kube::Resource& r, const std::string& ns,
                          const std::string& name) override;
  std::vector<Json> ListMetadata(const kube::Resource& r, const std::string& ns,
                                 const std::string& label_selector) override;
  void Apply(const kube::Resource& r, const std::string& ns, const std::string& name,
             const Json& object) override;
  void PatchStatus(const kube::Resource& r, const std::string& ns, const std::string& name,
                   const Json& status) override;
  void Delete(const kube::Resource& r, const std::string& ns, const std::string& name) override;
  void WarningEvent(const Json& regarding, const std::string& reason, const std::string& action,
                    const std::string& note) override;

 private:
  const kube::Client& client_;
  const kube::EventRecorder& events_;
};

}  // namespace pulse::controller
