#include "pulse/render/remote_write_renderer.h"

#include <string>
#include <string_view>

#include "pulse/model/remote_write.h"
#include "render_common.h"

namespace pulse::render {
namespace {

using detail::DurationText;

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
  if (rw.tls) detail::WriteTls(w, *rw.tls, rw.secret_namespace, options);
  WriteQueue(w, rw.queue);
  if (!rw.write_relabel_configs.empty()) {
    w.Key("write_relabel_configs");
    w.BeginSeq();
    for (const auto& r : rw.write_relabel_configs) detail::WriteUserRelabel(w, r);
    w.EndSeq();
  }
  w.EndMap();
  w.EndSeq();
}

}  // namespace pulse::render
