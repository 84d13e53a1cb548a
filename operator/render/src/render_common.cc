#include "render_common.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <span>
#include <tuple>

#include "pulse/render/scrape_config_renderer.h"
#include "pulse/render/text_escape.h"

namespace pulse::render::detail {
namespace {

template <typename T>
std::vector<const T*> SortedByIdentity(std::span<const T> in, std::span<const T* const> refs) {
  std::vector<const T*> out;
  out.reserve(in.size() + refs.size());
  for (const T& object : in) out.push_back(&object);
  out.insert(out.end(), refs.begin(), refs.end());
  // Validation rejects duplicate identities; source order breaks any remaining tie so the
  // result is still a total order.
  std::sort(out.begin(), out.end(), [](const T* a, const T* b) {
    return std::tie(a->metadata.namespace_, a->metadata.name, a->source.file, a->source.document) <
           std::tie(b->metadata.namespace_, b->metadata.name, b->source.file, b->source.document);
  });
  return out;
}

}  // namespace

std::vector<const model::ApiMonitor*> SortedApiMonitors(const RenderInputs& inputs) {
  return SortedByIdentity(inputs.api_monitors, inputs.api_monitor_refs);
}

std::vector<const model::Exporter*> SortedExporters(const RenderInputs& inputs) {
  return SortedByIdentity(inputs.exporters, inputs.exporter_refs);
}

std::string ObjectKey(const model::ObjectMeta& meta) {
  std::string key;
  key.reserve(meta.namespace_.size() + meta.name.size() + 1);
  key += meta.namespace_;
  key += '/';
  key += meta.name;
  return key;
}

namespace {
std::string StemPart(std::string_view text) {
  std::string safe = SafePathComponent(text);
  std::string out;
  out.reserve(safe.size());
  for (char c : safe) {
    if (c == '_') {
      out += "%5F";
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

std::string FileStem(std::string_view prefix, const model::ObjectMeta& meta) {
  std::string stem(prefix);
  stem += '_';
  stem += StemPart(meta.namespace_);
  stem += '_';
  stem += StemPart(meta.name);
  return stem;
}

std::string SecretFilePath(const RenderOptions& options, std::string_view namespace_,
                           const model::SecretKeySelector& ref) {
  if (!options.credentials_dir.empty()) {
    std::string path = options.credentials_dir;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path + "/" + CredentialFileName(namespace_, ref);
  }
  std::string path = options.secrets_dir;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  path += '/';
  path += SafePathComponent(namespace_);
  path += '/';
  path += SafePathComponent(ref.name);
  path += '/';
  path += SafePathComponent(ref.key);
  return path;
}

std::uint64_t Fnv1a64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string HexPrefix(std::uint64_t hash, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits && i < 16; ++i) out += kHex[(hash >> (60 - 4 * i)) & 0xF];
  return out;
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return value > 0 ? "+Inf" : (value < 0 ? "-Inf" : "NaN");
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, res.ptr);
}

std::string FormatSeconds(std::chrono::milliseconds value) {
  // Integer arithmetic first so 250ms is "0.25" exactly, not a binary approximation.
  const long long ms = value.count();
  std::string out = std::to_string(ms / 1000);
  long long frac = ms % 1000;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 3 - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += '.';
    out += digits;
  }
  return out;
}

std::string LeRegex(std::chrono::milliseconds bound) {
  const std::string text = FormatSeconds(bound);
  std::string re = RegexQuoteMeta(text);
  if (text.find('.') == std::string::npos) re += "(\\.0)?";
  return re;
}

std::string Selector(std::string_view metric, const std::vector<Matcher>& matchers) {
  std::string out(metric);
  out += '{';
  bool first = true;
  for (const Matcher& m : matchers) {
    if (!first) out += ',';
    first = false;
    out += m.label;
    out += m.op;
    out += PromQlQuoted(m.value);
  }
  out += '}';
  return out;
}

std::string DurationText(const model::Duration& d) {
  return d.text.empty() ? model::FormatDuration(d.value) : d.text;
}

// A user's relabel rule as written: only the fields the user set (plus the ones the action
// needs), so the rendered config reads like the resource.
void WriteUserRelabel(YamlWriter& w, const model::RelabelConfig& r) {
  w.BeginMap();
  if (!r.source_labels.empty()) {
    w.Key("source_labels");
    w.BeginSeq();
    for (const auto& l : r.source_labels) w.String(l);
    w.EndSeq();
  }
  if (r.separator_set) {
    w.Key("separator");
    w.String(r.separator);
  }
  if (!r.target_label.empty()) {
    w.Key("target_label");
    w.String(r.target_label);
  }
  if (r.regex_set) {
    w.Key("regex");
    w.String(r.regex);
  }
  if (r.action == model::RelabelAction::kHashMod || r.modulus != 0) {
    w.Key("modulus");
    w.Int(static_cast<std::int64_t>(r.modulus));
  }
  if (r.replacement_set) {
    w.Key("replacement");
    w.String(r.replacement);
  }
  w.Key("action");
  w.String(model::RelabelActionName(r.action));
  w.EndMap();
}

void WriteTls(YamlWriter& w, const model::TlsConfig& tls, std::string_view ns,
              const RenderOptions& options) {
  w.Key("tls_config");
  w.BeginMap();
  if (tls.ca) {
    w.Key("ca_file");
    w.String(SecretFilePath(options, ns, *tls.ca));
  }
  if (tls.cert) {
    w.Key("cert_file");
    w.String(SecretFilePath(options, ns, *tls.cert));
  }
  if (tls.key) {
    w.Key("key_file");
    w.String(SecretFilePath(options, ns, *tls.key));
  }
  if (!tls.server_name.empty()) {
    w.Key("server_name");
    w.String(tls.server_name);
  }
  w.Key("insecure_skip_verify");
  w.Bool(tls.insecure_skip_verify);
  w.EndMap();
}

}  // namespace pulse::render::detail
