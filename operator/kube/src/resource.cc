#include "pulse/kube/resource.h"

#include <stdexcept>

namespace pulse::kube {
namespace {

void CheckSegment(std::string_view what, std::string_view s) {
  if (s.empty() || s == "." || s == ".." || s.find_first_of("/?#%") != std::string_view::npos) {
    throw std::invalid_argument("invalid " + std::string(what) + " '" + std::string(s) +
                                "' for a request path");
  }
}

}  // namespace

std::string Resource::ApiVersion() const { return group.empty() ? version : group + "/" + version; }

std::string Resource::CollectionPath(std::string_view ns) const {
  std::string p = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) {
    CheckSegment("namespace", ns);
    p += "/namespaces/";
    p += ns;
  }
  p += "/";
  p += resource;
  return p;
}

std::string Resource::ItemPath(std::string_view ns, std::string_view name,
                               std::string_view subresource) const {
  if (namespaced && ns.empty()) {
    throw std::invalid_argument("namespaced resource " + resource + " needs a namespace");
  }
  CheckSegment("name", name);
  std::string p = CollectionPath(ns) + "/" + std::string(name);
  if (!subresource.empty()) {
    CheckSegment("subresource", subresource);
    p += "/";
    p += subresource;
  }
  return p;
}

Resource ConfigMaps() { return {"", "v1", "configmaps", true}; }
Resource Secrets() { return {"", "v1", "secrets", true}; }
Resource Namespaces() { return {"", "v1", "namespaces", false}; }
Resource Leases() { return {"coordination.k8s.io", "v1", "leases", true}; }
Resource Events() { return {"events.k8s.io", "v1", "events", true}; }
Resource CustomResourceDefinitions() {
  return {"apiextensions.k8s.io", "v1", "customresourcedefinitions", false};
}

std::string QueryEscape(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace pulse::kube
