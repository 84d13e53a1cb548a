// Identity and provenance shared by every object the model reads.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace pulse::model {

// The API group/version every pulse custom resource uses.
inline constexpr const char* kApiGroup = "monitoring.pulse.dev";
inline constexpr const char* kApiVersion = "monitoring.pulse.dev/v1alpha1";

// The subset of Kubernetes ObjectMeta the operator needs. Other metadata fields the API server
// adds (managedFields, creationTimestamp, ownerReferences, ...) are accepted and ignored.
struct ObjectMeta {
  std::string namespace_ = "default";  // files without a namespace mean "default", like kubectl
  std::string name;
  std::string uid;               // "" for objects read from files
  std::int64_t generation = 0;   // 0 for objects read from files
  std::string resource_version;  // "" for objects read from files
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

// Where an object was read from: a file (and which YAML document in it, counting from 0), or the
// API server (file == "").
struct Source {
  std::string file;
  int document = 0;
};

}  // namespace pulse::model
