// Building blocks shared by ApiMonitor and Exporter: Secret references, TLS, auth, label
// selectors and Prometheus relabelling rules.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pulse::model {

// A key in a Secret in the referencing object's namespace. Both parts are required.
struct SecretKeySelector {
  std::string name;
  std::string key;
};

// TLS for scraping (or for an exporter's connection). Every file-like value comes from a Secret.
struct TlsConfig {
  std::optional<SecretKeySelector> ca;    // CA bundle (PEM); system roots when absent
  std::optional<SecretKeySelector> cert;  // client certificate (PEM); needs key
  std::optional<SecretKeySelector> key;   // client private key (PEM); needs cert
  std::string server_name;                // SNI / verification name override, "" = from URL
  bool insecure_skip_verify = false;
};

struct BasicAuth {
  SecretKeySelector username;
  SecretKeySelector password;
};

// Kubernetes LabelSelector (matchLabels AND matchExpressions). An empty selector selects all.
struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // "In", "NotIn", "Exists", "DoesNotExist" (as written in the resource)
  std::vector<std::string> values;
};

struct LabelSelector {
  std::map<std::string, std::string> match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
};

// Prometheus relabel actions (the lower-case spelling is the one the CRD accepts).
enum class RelabelAction {
  kReplace,
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};

// "replace", "keep", ... as Prometheus spells them.
const char* RelabelActionName(RelabelAction action);

// One Prometheus relabel_config. Fields hold the Prometheus defaults when the resource leaves
// them out (separator ";", regex "(.*)", replacement "$1", action replace), and the *_set flags
// say whether the user wrote them, so a renderer can emit only what was written.
struct RelabelConfig {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string target_label;
  std::string regex = "(.*)";  // unanchored as written; Prometheus anchors it as ^(?:regex)$
  std::uint64_t modulus = 0;
  std::string replacement = "$1";
  RelabelAction action = RelabelAction::kReplace;
  bool separator_set = false;
  bool regex_set = false;
  bool replacement_set = false;
};

// Resource requests/limits for a generated container, quantities kept as written ("100m", "64Mi").
struct ResourceRequirements {
  std::map<std::string, std::string> requests;
  std::map<std::string, std::string> limits;
};

}  // namespace pulse::model
