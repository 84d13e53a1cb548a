#include "pulse/render/remote_write_renderer.h"

#include <string>
#include <string_view>

#include "pulse/model/remote_write.h"
#include "render_common.h"

namespace pulse::render {
namespace {

std::string DurationText(const model::Duration& d) {
  return d.text.empty() ? model::FormatDuration(d.value) : d.text;
}

void OptionalInt(YamlWriter& w, std::string_view key, const std::optional<std::int64_t>& v) {
  if (!v) return;
  w.Key(key);
  w.Int(*v);
}

void OptionalDuration(YamlWriter& w, std::string_view key,
                      const std::optional<model::Duration>& d) {
  if (!d) return;
  w.Key(key);
  w.String(DurationText(*d));
}

void SecretFile(YamlWriter& w, std::string_view key, const RenderOptions& options,
                const model::RemoteWrite& rw, const model::SecretKeySelector& ref) {
  w.Key(key);
  w.String(detail::SecretFilePath(options, rw.secret_namespace, ref));
}

// A write relabel rule with only the fields the user set (plus what its action needs), in
// Prometheus' own spelling.
void WriteRelabel(YamlWriter& w, const model::RelabelConfig& r) {
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

void WriteQueue(YamlWriter& w, const model::RemoteWriteQueue& q) {
  if (q.empty()) return;  // Prometheus' defaults
  w.Key("queue_config");
  w.BeginMap();
  OptionalInt(w, "capacity", q.capacity);
  OptionalInt(w, "min_shards", q.min_shards);
  OptionalInt(w, "max_shards", q.max_shards);
  OptionalInt(w, "max_samples_per_send", q.max_samples_per_send);
  OptionalDuration(w, "batch_send_deadline", q.batch_send_deadline);
  OptionalDuration(w, "min_backoff", q.min_backoff);
  OptionalDuration(w, "max_backoff", q.max_backoff);
  w.EndMap();
}

}  // namespace

void WriteRemoteWriteSection(YamlWriter& w, const RenderOptions& options) {
  if (!options.remote_write) return;
  const model::RemoteWrite& rw = *options.remote_write;
  w.Key("remote_write");
  w.BeginSeq();
  w.BeginMap();
  w.Key("url");
  w.String(rw.url);
  if (!rw.name.empty()) {
    w.Key("name");
    w.String(rw.name);
  }
  OptionalDuration(w, "remote_timeout", rw.remote_timeout);
  if (!rw.headers.empty()) {
    w.Key("headers");
    w.BeginMap();
    for (const auto& [k, v] : rw.headers) {
      w.Key(k);
      w.String(v);
    }
    w.EndMap();
  }
  if (rw.basic_auth) {
    w.Key("basic_auth");
    w.BeginMap();
    SecretFile(w, "username_file", options, rw, rw.basic_auth->username);
    SecretFile(w, "password_file", options, rw, rw.basic_auth->password);
    w.EndMap();
  }
  if (rw.bearer_token_secret) {
    w.Key("authorization");
    w.BeginMap();
    w.Key("type");
    w.String("Bearer");
    SecretFile(w, "credentials_file", options, rw, *rw.bearer_token_secret);
    w.EndMap();
  }
  if (rw.tls) {
    w.Key("tls_config");
    w.BeginMap();
    if (rw.tls->ca) SecretFile(w, "ca_file", options, rw, *rw.tls->ca);
    if (rw.tls->cert) SecretFile(w, "cert_file", options, rw, *rw.tls->cert);
    if (rw.tls->key) SecretFile(w, "key_file", options, rw, *rw.tls->key);
    if (!rw.tls->server_name.empty()) {
      w.Key("server_name");
      w.String(rw.tls->server_name);
    }
    w.Key("insecure_skip_verify");
    w.Bool(rw.tls->insecure_skip_verify);
    w.EndMap();
  }
  WriteQueue(w, rw.queue);
  if (!rw.write_relabel_configs.empty()) {
    w.Key("write_relabel_configs");
    w.BeginSeq();
    for (const auto& r : rw.write_relabel_configs) WriteRelabel(w, r);
    w.EndSeq();
  }
  w.EndMap();
  w.EndSeq();
}

}  // namespace pulse::render
