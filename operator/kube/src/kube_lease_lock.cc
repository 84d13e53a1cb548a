#include "pulse/kube/api_error.h"
#include "pulse/kube/leader_elector.h"
#include "pulse/kube/rest_client.h"
#include "pulse/kube/store.h"
#include "pulse/kube/time_format.h"

namespace pulse::kube {
namespace {

RetryOptions NoRetries() {
  RetryOptions o;
  o.max_attempts = 1;
  return o;
}

Json ToSpec(const LeaseRecord& r) {
  Json spec = Json::object();
  spec["holderIdentity"] = r.holder;
  spec["leaseDurationSeconds"] = r.lease_duration_seconds;
  spec["acquireTime"] = FormatMicroTime(r.acquire_time);
  spec["renewTime"] = FormatMicroTime(r.renew_time);
  spec["leaseTransitions"] = r.lease_transitions;
  return spec;
}

}  // namespace

KubeLeaseLock::KubeLeaseLock(const Client& client, std::string ns, std::string name)
    : client_(client.WithRetry(NoRetries())), ns_(std::move(ns)), name_(std::move(name)) {}

KubeLeaseLock::~KubeLeaseLock() = default;

std::optional<LeaseRecord> KubeLeaseLock::Get(std::string* resource_version) {
  Json lease;
  try {
    lease = client_->Get(Leases(), ns_, name_);
  } catch (const ApiError& e) {
    if (IsNotFound(e)) return std::nullopt;
    throw;
  }
  if (resource_version != nullptr) *resource_version = ResourceVersionOf(lease);
  LeaseRecord r;
  const Json spec = lease.value("spec", Json::object());
  if (!spec.is_object()) return r;
  auto str = [&](const char* k) {
    auto it = spec.find(k);
    return it != spec.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto num = [&](const char* k) {
    auto it = spec.find(k);
    return it != spec.end() && it->is_number_integer() ? it->get<int>() : 0;
  };
  r.holder = str("holderIdentity");
  r.lease_duration_seconds = num("leaseDurationSeconds");
  r.lease_transitions = num("leaseTransitions");
  if (auto t = ParseTime(str("acquireTime"))) r.acquire_time = *t;
  if (auto t = ParseTime(str("renewTime"))) r.renew_time = *t;
  return r;
}

bool KubeLeaseLock::Create(const LeaseRecord& record) {
  Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", name_}, {"namespace", ns_}}},
                {"spec", ToSpec(record)}};
  try {
    client_->Create(Leases(), ns_, lease);
    return true;
  } catch (const ApiError& e) {
    if (IsAlreadyExists(e) || IsConflict(e)) return false;
    throw;
  }
}

bool KubeLeaseLock::Update(const LeaseRecord& record, const std::string& resource_version) {
  Json lease = {
      {"apiVersion", "coordination.k8s.io/v1"},
      {"kind", "Lease"},
      {"metadata", {{"name", name_}, {"namespace", ns_}, {"resourceVersion", resource_version}}},
      {"spec", ToSpec(record)}};
  try {
    client_->Update(Leases(), ns_, lease);
    return true;
  } catch (const ApiError& e) {
    if (IsConflict(e) || IsNotFound(e)) return false;
    throw;
  }
}

}  // namespace pulse::kube
