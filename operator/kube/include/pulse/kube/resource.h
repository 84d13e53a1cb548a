// How a kind of object is addressed on the API server: group/version/resource (plural), and
// whether it lives in a namespace. No discovery: callers name what they use. Plain value.
#pragma once

#include <string>
#include <string_view>

namespace pulse::kube {

struct Resource {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural, lower case: "configmaps"
  bool namespaced = true;

  // "v1" or "apps/v1": the apiVersion of the objects.
  std::string ApiVersion() const;
  // /api/v1/namespaces/NS/configmaps (ns ignored for cluster-scoped resources; an empty ns on
  // a namespaced resource means all namespaces).
  std::string CollectionPath(std::string_view ns) const;
  // CollectionPath + /NAME [+ /SUBRESOURCE]. Throws std::invalid_argument when a name or
  // namespace cannot be a path segment (empty, ".", "..", or containing '/', '?', '#', '%').
  std::string ItemPath(std::string_view ns, std::string_view name,
                       std::string_view subresource = {}) const;
};

// Resources the operator uses.
Resource ConfigMaps();
Resource Secrets();
Resource Namespaces();
Resource Leases();  // coordination.k8s.io/v1
Resource Events();  // events.k8s.io/v1
Resource CustomResourceDefinitions();

// RFC 3986 percent-encoding of a query value (label selectors hold '=', ',', '!', ...).
std::string QueryEscape(std::string_view value);

}  // namespace pulse::kube
