#include "json_reader.h"

#include <cmath>
#include <limits>

#include "utf8.h"

namespace pulse::model::internal {

void ErrorSink::Add(ErrorCode code, std::string path, std::string value, std::string detail) {
  Error e = prototype_;
  e.code = code;
  e.path = std::move(path);
  e.value = std::move(value);
  e.detail = std::move(detail);
  errors_.push_back(std::move(e));
}

std::string ValueText(const json& value) {
  if (value.is_string()) return Printable(value.get_ref<const std::string&>());
  return Printable(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string Describe(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return "string \"" + ValueText(value) + "\"";
    case json::value_t::boolean:
      return "boolean " + ValueText(value);
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer " + ValueText(value);
    case json::value_t::number_float:
      return "number " + ValueText(value);
    case json::value_t::object:
      return "map";
    case json::value_t::array:
      return "list";
    case json::value_t::null:
      return "null";
    default:
      return "unsupported value";
  }
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

namespace {
void TypeError(ErrorSink& sink, const json& v, const std::string& path, const char* want) {
  sink.Add(ErrorCode::kType, path, ValueText(v),
           std::string("expected ") + want + ", got " + Describe(v));
}
}  // namespace

bool ReadString(ErrorSink& sink, const json& v, const std::string& path, std::string& out) {
  if (!v.is_string()) {
    TypeError(sink, v, path, "string");
    return false;
  }
  out = v.get<std::string>();
  return true;
}

bool ReadBool(ErrorSink& sink, const json& v, const std::string& path, bool& out) {
  if (!v.is_boolean()) {
    TypeError(sink, v, path, "boolean");
    return false;
  }
  out = v.get<bool>();
  return true;
}

bool ReadInt(ErrorSink& sink, const json& v, const std::string& path, std::int64_t min,
             std::int64_t max, std::int64_t& out) {
  auto range_error = [&] {
    sink.Add(ErrorCode::kOutOfRange, path, ValueText(v),
             ValueText(v) + " is out of range [" + std::to_string(min) + ", " +
                 std::to_string(max) + "]");
    return false;
  };
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max)) return range_error();
    out = static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    // A whole number too large for 64 bits arrives as a float: say it is too large.
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) >= 9.2e18) return range_error();
    TypeError(sink, v, path, "integer");
    return false;
  } else {
    TypeError(sink, v, path, "integer");
    return false;
  }
  if (out < min || out > max) return range_error();
  return true;
}

bool ReadNumber(ErrorSink& sink, const json& v, const std::string& path, double& out) {
  if (!v.is_number()) {
    TypeError(sink, v, path, "number");
    return false;
  }
  out = v.get<double>();
  if (!std::isfinite(out)) {
    sink.Add(ErrorCode::kInvalidValue, path, ValueText(v), "number must be finite");
    return false;
  }
  return true;
}

bool ReadDuration(ErrorSink& sink, const json& v, const std::string& path, Duration& out) {
  std::string text;
  if (!v.is_string()) {
    TypeError(sink, v, path, "duration string such as \"30s\"");
    return false;
  }
  text = v.get<std::string>();
  Result<Duration> d = ParseDuration(text);
  if (!d.ok()) {
    sink.Add(d.error().code, path, Printable(text), d.error().detail);
    return false;
  }
  out = std::move(d).value();
  return true;
}

bool ReadStringList(ErrorSink& sink, const json& v, const std::string& path,
                    std::vector<std::string>& out) {
  if (!v.is_array()) {
    TypeError(sink, v, path, "a list of strings");
    return false;
  }
  bool ok = true;
  out.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string s;
    if (ReadString(sink, v[i], Index(path, i), s)) {
      out.push_back(std::move(s));
    } else {
      ok = false;
    }
  }
  return ok;
}

bool ReadStringMap(ErrorSink& sink, const json& v, const std::string& path,
                   std::map<std::string, std::string>& out) {
  if (!v.is_object()) {
    TypeError(sink, v, path, "a map of strings");
    return false;
  }
  bool ok = true;
  out.clear();
  for (const auto& [key, value] : v.items()) {
    std::string s;
    if (ReadString(sink, value, Join(path, key), s)) {
      out.emplace(key, std::move(s));
    } else {
      ok = false;
    }
  }
  return ok;
}

bool ReadQuantity(ErrorSink& sink, const json& v, const std::string& path, std::string& out) {
  if (v.is_string()) {
    out = v.get<std::string>();
    return true;
  }
  if (v.is_number_integer() || v.is_number_unsigned() ||
      (v.is_number_float() && std::isfinite(v.get<double>()))) {
    out = v.dump();
    return true;
  }
  TypeError(sink, v, path, "a quantity such as \"100m\" or \"64Mi\"");
  return false;
}

ObjectReader::ObjectReader(ErrorSink& sink, const json& value, std::string path)
    : sink_(sink), value_(value), path_(std::move(path)), ok_(value.is_object()) {
  if (!ok_) TypeError(sink_, value, path_.empty() ? "(document)" : path_, "a map");
}

const json* ObjectReader::Field(std::string_view key, bool required) {
  if (!ok_) return nullptr;
  seen_.emplace(key);
  auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) {
    if (required) sink_.Add(ErrorCode::kMissingField, Child(key), "", "required field is missing");
    return nullptr;
  }
  return &*it;
}

void ObjectReader::String(std::string_view key, std::string& out, bool required) {
  if (const json* v = Field(key, required)) ReadString(sink_, *v, Child(key), out);
}
void ObjectReader::Bool(std::string_view key, bool& out) {
  if (const json* v = Field(key)) ReadBool(sink_, *v, Child(key), out);
}
void ObjectReader::Int(std::string_view key, std::int64_t min, std::int64_t max,
                       std::int64_t& out) {
  if (const json* v = Field(key)) ReadInt(sink_, *v, Child(key), min, max, out);
}
void ObjectReader::Number(std::string_view key, std::optional<double>& out) {
  double d = 0;
  if (const json* v = Field(key); v != nullptr && ReadNumber(sink_, *v, Child(key), d)) out = d;
}
void ObjectReader::Dur(std::string_view key, Duration& out) {
  if (const json* v = Field(key)) ReadDuration(sink_, *v, Child(key), out);
}
void ObjectReader::Dur(std::string_view key, std::optional<Duration>& out) {
  Duration d;
  if (const json* v = Field(key); v != nullptr && ReadDuration(sink_, *v, Child(key), d)) out = d;
}
void ObjectReader::StringList(std::string_view key, std::vector<std::string>& out) {
  if (const json* v = Field(key)) ReadStringList(sink_, *v, Child(key), out);
}
void ObjectReader::StringMap(std::string_view key, std::map<std::string, std::string>& out) {
  if (const json* v = Field(key)) ReadStringMap(sink_, *v, Child(key), out);
}

void ObjectReader::Finish(const std::set<std::string, std::less<>>& ignored) {
  if (!ok_) return;
  for (const auto& [key, value] : value_.items()) {
    if (seen_.count(key) == 0 && ignored.count(key) == 0) {
      sink_.Add(ErrorCode::kUnknownField, Join(path_, Printable(key, 64)), "", "unknown field");
    }
  }
}

void ReadSecretKeySelector(ErrorSink& sink, const json& v, const std::string& path,
                           SecretKeySelector& out) {
  ObjectReader r(sink, v, path);
  r.String("name", out.name, true);
  r.String("key", out.key, true);
  r.Finish();
}

void ReadOptionalSecretKeySelector(ObjectReader& r, std::string_view key,
                                   std::optional<SecretKeySelector>& out) {
  if (const json* v = r.Field(key)) {
    SecretKeySelector s;
    ReadSecretKeySelector(r.sink(), *v, r.Child(key), s);
    out = std::move(s);
  }
}

void ReadTls(ObjectReader& parent, std::string_view key, std::optional<TlsConfig>& out) {
  const json* v = parent.Field(key);
  if (v == nullptr) return;
  TlsConfig tls;
  ObjectReader r(parent.sink(), *v, parent.Child(key));
  ReadOptionalSecretKeySelector(r, "ca", tls.ca);
  ReadOptionalSecretKeySelector(r, "cert", tls.cert);
  ReadOptionalSecretKeySelector(r, "key", tls.key);
  r.String("serverName", tls.server_name);
  r.Bool("insecureSkipVerify", tls.insecure_skip_verify);
  r.Finish();
  out = std::move(tls);
}

void ReadBasicAuth(ObjectReader& parent, std::string_view key, std::optional<BasicAuth>& out) {
  const json* v = parent.Field(key);
  if (v == nullptr) return;
  BasicAuth auth;
  ObjectReader r(parent.sink(), *v, parent.Child(key));
  if (const json* u = r.Field("username", true)) {
    ReadSecretKeySelector(parent.sink(), *u, r.Child("username"), auth.username);
  }
  if (const json* p = r.Field("password", true)) {
    ReadSecretKeySelector(parent.sink(), *p, r.Child("password"), auth.password);
  }
  r.Finish();
  out = std::move(auth);
}

void ReadRelabelConfigs(ObjectReader& parent, std::string_view key,
                        std::vector<RelabelConfig>& out) {
  static const std::vector<std::pair<std::string, RelabelAction>> kActions = {
      {"replace", RelabelAction::kReplace},     {"keep", RelabelAction::kKeep},
      {"drop", RelabelAction::kDrop},           {"keepequal", RelabelAction::kKeepEqual},
      {"dropequal", RelabelAction::kDropEqual}, {"hashmod", RelabelAction::kHashMod},
      {"labelmap", RelabelAction::kLabelMap},   {"labeldrop", RelabelAction::kLabelDrop},
      {"labelkeep", RelabelAction::kLabelKeep}, {"lowercase", RelabelAction::kLowercase},
      {"uppercase", RelabelAction::kUppercase},
  };
  ForEach(parent, key, [&](const json& item, const std::string& path) {
    RelabelConfig rc;
    ObjectReader r(parent.sink(), item, path);
    r.StringList("sourceLabels", rc.source_labels);
    rc.separator_set = r.Field("separator") != nullptr;
    r.String("separator", rc.separator);
    r.String("targetLabel", rc.target_label);
    rc.regex_set = r.Field("regex") != nullptr;
    r.String("regex", rc.regex);
    std::int64_t modulus = 0;
    r.Int("modulus", 0, std::numeric_limits<std::int64_t>::max(), modulus);
    rc.modulus = static_cast<std::uint64_t>(modulus);
    rc.replacement_set = r.Field("replacement") != nullptr;
    r.String("replacement", rc.replacement);
    r.Enum("action", kActions, rc.action);
    r.Finish();
    out.push_back(std::move(rc));
  });
}

void ReadResources(ObjectReader& parent, std::string_view key, ResourceRequirements& out) {
  const json* v = parent.Field(key);
  if (v == nullptr) return;
  ObjectReader r(parent.sink(), *v, parent.Child(key));
  for (auto [name, target] :
       {std::pair{"requests", &out.requests}, std::pair{"limits", &out.limits}}) {
    const json* m = r.Field(name);
    if (m == nullptr) continue;
    const std::string path = r.Child(name);
    if (!m->is_object()) {
      r.sink().Add(ErrorCode::kType, path, ValueText(*m),
                   "expected a map of quantities, got " + Describe(*m));
      continue;
    }
    for (const auto& [resource, quantity] : m->items()) {
      std::string q;
      if (ReadQuantity(r.sink(), quantity, Join(path, resource), q)) target->emplace(resource, q);
    }
  }
  r.Finish();
}

}  // namespace pulse::model::internal
