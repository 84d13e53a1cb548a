#include "checks.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "utf8.h"

namespace pulse::model::internal {
namespace {

bool IsAlnumLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }

// Kubernetes "qualified name" part: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, <= 63.
bool IsQualifiedNamePart(std::string_view s) {
  if (s.empty() || s.size() > 63 || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

std::string Text(std::chrono::milliseconds ms) { return FormatDuration(ms); }

// Prometheus' pattern for a replace/labelmap target: label name characters and ${1}/$name refs.
bool IsRelabelTarget(std::string_view s) {
  static const RE2 re(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), re);
}

}  // namespace

bool IsLabelName(std::string_view s) {
  if (s.empty() || !(IsAlpha(s[0]) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '_'; });
}

bool IsMetricName(std::string_view s) {
  if (s.empty() || !(IsAlpha(s[0]) || s[0] == '_' || s[0] == ':')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '_' || c == ':'; });
}

bool IsDns1123Label(std::string_view s) {
  if (s.empty() || s.size() > 63 || !IsAlnumLower(s.front()) || !IsAlnumLower(s.back()))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnumLower(c) || c == '-'; });
}

bool IsDns1123Subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    if (!IsDns1123Label(s.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool IsLabelKey(std::string_view s) {
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) return IsQualifiedNamePart(s);
  return IsDns1123Subdomain(s.substr(0, slash)) && IsQualifiedNamePart(s.substr(slash + 1));
}

bool IsLabelValue(std::string_view s) { return s.empty() || IsQualifiedNamePart(s); }

bool IsHostPort(std::string_view s) {
  std::string_view host;
  std::string_view port;
  if (s.starts_with("[")) {
    const std::size_t close = s.find("]:");
    if (close == std::string_view::npos) return false;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    if (host.empty() ||
        host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
      return false;
  } else {
    const std::size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (host.empty() || host.size() > 253) return false;
    for (char c : host) {
      if (!(IsAlnum(c) || c == '-' || c == '.' || c == '_')) return false;
    }
  }
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit))
    return false;
  const int p = std::stoi(std::string(port));
  return p >= 1 && p <= 65535;
}

std::string Quote(std::string_view s) { return "\"" + Printable(s) + "\""; }

void CheckMeta(ErrorSink& sink, const ObjectMeta& meta, std::size_t max_name_length) {
  if (!IsDns1123Label(meta.name) || meta.name.size() > max_name_length) {
    sink.Add(ErrorCode::kInvalidValue, "metadata.name", Printable(meta.name),
             Quote(meta.name) +
                 " is not a valid name: lower-case letters, digits and '-', starting and "
                 "ending with a letter or digit, at most " +
                 std::to_string(max_name_length) + " characters");
  }
  if (!IsDns1123Label(meta.namespace_)) {
    sink.Add(ErrorCode::kInvalidValue, "metadata.namespace", Printable(meta.namespace_),
             Quote(meta.namespace_) + " is not a valid namespace (a DNS-1123 label)");
  }
}

void CheckNonEmpty(ErrorSink& sink, const std::string& path, const std::string& value) {
  if (value.empty()) sink.Add(ErrorCode::kMissingField, path, "", "must not be empty");
}

void CheckMaxLength(ErrorSink& sink, const std::string& path, const std::string& value,
                    std::size_t max) {
  if (value.size() > max) {
    sink.Add(ErrorCode::kOutOfRange, path, Printable(value, 40),
             "is " + std::to_string(value.size()) + " bytes long, at most " + std::to_string(max) +
                 " allowed");
  }
}

void CheckLabelName(ErrorSink& sink, const std::string& path, const std::string& value) {
  if (!IsLabelName(value)) {
    sink.Add(ErrorCode::kInvalidValue, path, Printable(value),
             Quote(value) + " is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");
  }
}

void CheckMetricName(ErrorSink& sink, const std::string& path, const std::string& value) {
  if (!IsMetricName(value)) {
    sink.Add(ErrorCode::kInvalidValue, path, Printable(value),
             Quote(value) + " is not a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
  }
}

void CheckRegex(ErrorSink& sink, const std::string& path, const std::string& regex) {
  if (regex.size() > 4096) {
    CheckMaxLength(sink, path, regex, 4096);
    return;
  }
  // Prometheus anchors every relabel regex this way before compiling it with Go's RE2 syntax.
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re("^(?:" + regex + ")$", options);
  if (!re.ok()) {
    // Report RE2's complaint about the user's text, not about our anchored wrapper.
    const RE2 plain(regex, options);
    const std::string reason = plain.ok() ? re.error() : plain.error();
    sink.Add(ErrorCode::kInvalidValue, path, Printable(regex),
             Quote(regex) + " is not a valid RE2 regular expression: " + Printable(reason));
  }
}

void CheckDurationRange(ErrorSink& sink, const std::string& path, const Duration& d,
                        std::chrono::milliseconds min, std::chrono::milliseconds max) {
  if (d.value < min || d.value > max) {
    sink.Add(ErrorCode::kOutOfRange, path, d.text,
             d.text + " is out of range [" + Text(min) + ", " + Text(max) + "]");
  }
}

void CheckScrapeTiming(ErrorSink& sink, const std::string& path, const Duration& interval,
                       const std::optional<Duration>& timeout) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  CheckDurationRange(sink, Join(path, "interval"), interval, seconds(1), hours(24));
  if (!timeout) return;
  if (timeout->value <= milliseconds(0)) {
    sink.Add(ErrorCode::kOutOfRange, Join(path, "scrapeTimeout"), timeout->text,
             "must be greater than 0");
  } else if (timeout->value > interval.value) {
    sink.Add(ErrorCode::kConflict, Join(path, "scrapeTimeout"), timeout->text,
             timeout->text + " exceeds interval " + interval.text);
  }
}

void CheckRelabelConfigs(ErrorSink& sink, const std::string& path,
                         const std::vector<RelabelConfig>& configs) {
  CheckMaxItems(sink, path, configs, 100);
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const RelabelConfig& rc = configs[i];
    const std::string at = Index(path, i);
    const std::string action = RelabelActionName(rc.action);
    for (std::size_t k = 0; k < rc.source_labels.size(); ++k) {
      CheckLabelName(sink, Index(Join(at, "sourceLabels"), k), rc.source_labels[k]);
    }
    CheckRegex(sink, Join(at, "regex"), rc.regex);
    CheckMaxLength(sink, Join(at, "replacement"), rc.replacement, 1024);
    CheckMaxLength(sink, Join(at, "separator"), rc.separator, 64);
    const bool needs_target =
        rc.action == RelabelAction::kReplace || rc.action == RelabelAction::kHashMod ||
        rc.action == RelabelAction::kLowercase || rc.action == RelabelAction::kUppercase ||
        rc.action == RelabelAction::kKeepEqual || rc.action == RelabelAction::kDropEqual;
    const std::string target_path = Join(at, "targetLabel");
    if (needs_target && rc.target_label.empty()) {
      sink.Add(ErrorCode::kMissingField, target_path, "", "required for action " + action);
    } else if (rc.action == RelabelAction::kReplace && !IsRelabelTarget(rc.target_label)) {
      sink.Add(ErrorCode::kInvalidValue, target_path, Printable(rc.target_label),
               Quote(rc.target_label) + " is not a valid target label for action replace");
    } else if (needs_target && rc.action != RelabelAction::kReplace) {
      CheckLabelName(sink, target_path, rc.target_label);
    }
    if (rc.action == RelabelAction::kHashMod && rc.modulus == 0) {
      sink.Add(ErrorCode::kMissingField, Join(at, "modulus"), "0",
               "must be greater than 0 for action hashmod");
    }
    if (rc.action == RelabelAction::kLabelMap && !IsRelabelTarget(rc.replacement)) {
      sink.Add(ErrorCode::kInvalidValue, Join(at, "replacement"), Printable(rc.replacement),
               Quote(rc.replacement) + " is not a valid replacement for action labelmap");
    }
    if ((rc.action == RelabelAction::kKeepEqual || rc.action == RelabelAction::kDropEqual) &&
        (rc.regex_set || rc.replacement_set || rc.separator_set || rc.modulus != 0)) {
      sink.Add(ErrorCode::kConflict, at, action,
               "action " + action + " takes only sourceLabels and targetLabel");
    }
    if ((rc.action == RelabelAction::kLabelDrop || rc.action == RelabelAction::kLabelKeep) &&
        (!rc.source_labels.empty() || !rc.target_label.empty() || rc.modulus != 0 ||
         rc.separator_set || rc.replacement_set)) {
      sink.Add(ErrorCode::kConflict, at, action, "action " + action + " takes only regex");
    }
  }
}

void CheckSecretRef(ErrorSink& sink, const std::string& path, const SecretKeySelector& ref,
                    const std::string& ns, const std::vector<Secret>& secrets,
                    bool require_secrets) {
  bool complete = true;
  if (ref.name.empty()) {
    sink.Add(ErrorCode::kMissingField, Join(path, "name"), "",
             "must not be empty (the Secret's name)");
    complete = false;
  } else if (!IsDns1123Subdomain(ref.name)) {
    sink.Add(ErrorCode::kInvalidValue, Join(path, "name"), Printable(ref.name),
             Quote(ref.name) + " is not a valid Secret name (a DNS-1123 subdomain)");
    complete = false;
  }
  const bool key_ok = !ref.key.empty() && ref.key.size() <= 253 &&
                      std::all_of(ref.key.begin(), ref.key.end(), [](char c) {
                        return IsAlnum(c) || c == '-' || c == '_' || c == '.';
                      });
  if (ref.key.empty()) {
    sink.Add(ErrorCode::kMissingField, Join(path, "key"), "",
             "must not be empty (the key within the Secret)");
    complete = false;
  } else if (!key_ok) {
    sink.Add(ErrorCode::kInvalidValue, Join(path, "key"), Printable(ref.key),
             Quote(ref.key) + " is not a valid Secret key ([-._a-zA-Z0-9]+)");
    complete = false;
  }
  if (!complete) return;
  auto it = std::find_if(secrets.begin(), secrets.end(), [&](const Secret& s) {
    return s.metadata.name == ref.name && s.metadata.namespace_ == ns;
  });
  if (it == secrets.end()) {
    if (require_secrets) {
      sink.Add(ErrorCode::kUnresolved, path, ref.name,
               "Secret " + ns + "/" + ref.name + " not found");
    }
    return;
  }
  if (it->data.count(ref.key) == 0) {
    sink.Add(ErrorCode::kUnresolved, path, ref.key,
             "Secret " + ns + "/" + ref.name + " has no key " + Quote(ref.key));
  }
}

void CheckTls(ErrorSink& sink, const std::string& path, const TlsConfig& tls, const std::string& ns,
              const std::vector<Secret>& secrets, bool require_secrets) {
  if (tls.ca) CheckSecretRef(sink, Join(path, "ca"), *tls.ca, ns, secrets, require_secrets);
  if (tls.cert) CheckSecretRef(sink, Join(path, "cert"), *tls.cert, ns, secrets, require_secrets);
  if (tls.key) CheckSecretRef(sink, Join(path, "key"), *tls.key, ns, secrets, require_secrets);
  if (tls.cert.has_value() != tls.key.has_value()) {
    sink.Add(ErrorCode::kConflict, path, "", "cert and key must be set together");
  }
  CheckMaxLength(sink, Join(path, "serverName"), tls.server_name, 253);
}

void CheckResources(ErrorSink& sink, const std::string& path,
                    const ResourceRequirements& resources) {
  // Kubernetes quantity syntax: a decimal number with an optional binary/decimal suffix or
  // exponent.
  static const RE2 quantity(
      R"(^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))?$)");
  for (const auto& [field, values] :
       {std::pair{"requests", &resources.requests}, std::pair{"limits", &resources.limits}}) {
    for (const auto& [resource, value] : *values) {
      const std::string at = Join(Join(path, field), resource);
      if (resource != "cpu" && resource != "memory" && resource != "ephemeral-storage") {
        sink.Add(
            ErrorCode::kInvalidValue, at, Printable(resource),
            "unsupported resource " + Quote(resource) + " (want cpu, memory or ephemeral-storage)");
      } else if (value.size() > 64 || !RE2::FullMatch(value, quantity)) {
        sink.Add(ErrorCode::kInvalidValue, at, Printable(value),
                 Quote(value) + " is not a valid quantity");
      }
    }
  }
}

}  // namespace pulse::model::internal
