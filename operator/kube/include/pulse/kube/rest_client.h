// The typed-error REST client for the Kubernetes API: get, list (selectors, paging), create,
// update, status update, server-side apply, merge patch, delete, watch. Objects are
// nlohmann::json. Non-2xx answers throw ApiError (see api_error.h); 429 and 503 answers are
// retried after the server's Retry-After (bounded), then thrown as TooManyRequests/
// ServiceUnavailable. Thread-safe: one Client serves many threads (it holds no per-call state).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "pulse/http/client.h"
#include "pulse/kube/api_error.h"
#include "pulse/kube/config.h"
#include "pulse/kube/resource.h"
#include "pulse/kube/watch_event.h"

namespace prometheus {
class Registry;
}

namespace pulse::kube {

class ClientMetrics;
using Json = nlohmann::json;

struct ClientOptions {
  // Metrics go here when set (the registry must outlive the client).
  std::shared_ptr<prometheus::Registry> registry;
  std::string field_manager = "pulse-operator";
  // Retries of a 429/503 answer before giving up; each waits Retry-After (default 1 s),
  // capped at max_retry_after.
  int max_throttle_retries = 5;
  std::chrono::seconds max_retry_after{30};
  // A watch line longer than this fails the stream (etcd's object limit is ~1.5 MiB).
  size_t max_watch_line_bytes = 32u << 20;
  // A response body (list, get) larger than this is refused as kBadResponse.
  size_t max_body_bytes = 512u << 20;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  long long limit = 0;         // page size; 0 = server default (everything)
  std::string continue_token;  // from the previous page's metadata.continue
  std::string resource_version;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;
  bool allow_bookmarks = true;
  // The server ends the watch after this long (the client then re-watches). The client-side
  // inactivity timeout is this plus `client_slack`, so a healthy quiet watch never trips it but
  // a dead connection is noticed.
  std::chrono::seconds server_timeout{300};
  std::chrono::seconds client_slack{30};
};

struct ApplyOptions {
  bool force = false;  // take ownership of fields another manager owns
  std::string subresource;
};

enum class Propagation { kDefault, kForeground, kBackground, kOrphan };

struct DeleteOptions {
  Propagation propagation = Propagation::kDefault;
  std::optional<long long> grace_period_seconds;
  std::string precondition_resource_version;
  std::string precondition_uid;
};

// Called for each decoded watch event; return false to end the watch.
using WatchHandler = std::function<bool(WatchEvent&& event)>;

class Client {
 public:
  // Throws ConfigError when the TLS material cannot be read or is not PEM.
  explicit Client(const Config& config, ClientOptions options = {});
  // Over any pulse::http::Client, to the API server at `server` (scheme://host:port; tests of
  // faults use a plain-HTTP one to a fault server).
  Client(std::shared_ptr<http::Client> http, std::string server, std::string default_namespace,
         ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const std::string& default_namespace() const { return default_namespace_; }
  const ClientOptions& options() const { return options_; }

  Json Get(const Resource& r, std::string_view ns, std::string_view name) const;
  // One page. metadata.continue in the result is the token for the next page ("" = last).
  Json List(const Resource& r, std::string_view ns, const ListOptions& options = {}) const;
  // Every page (options.limit per page), items concatenated; metadata.resourceVersion is the
  // list's snapshot version. A continue token that expires mid-way (410) throws kGone.
  Json ListAll(const Resource& r, std::string_view ns, const ListOptions& options = {}) const;
  Json Create(const Resource& r, std::string_view ns, const Json& object) const;
  // PUT of the whole object (metadata.resourceVersion, when present, makes it conditional).
  Json Update(const Resource& r, std::string_view ns, const Json& object) const;
  // PUT to the status subresource.
  Json UpdateStatus(const Resource& r, std::string_view ns, const Json& object) const;
  // Server-side apply with field manager options().field_manager.
  Json Apply(const Resource& r, std::string_view ns, std::string_view name, const Json& object,
             const ApplyOptions& options = {}) const;
  // JSON merge patch (RFC 7386).
  Json MergePatch(const Resource& r, std::string_view ns, std::string_view name, const Json& patch,
                  std::string_view subresource = {}) const;
  // Returns the server's answer (the object with deletionTimestamp, or a Status).
  Json Delete(const Resource& r, std::string_view ns, std::string_view name,
              const DeleteOptions& options = {}) const;

  // Streams a watch until the server ends it (timeout), `handler` returns false, or `cancel`
  // fires; returns normally in all three cases. A non-2xx answer throws ApiError (410 ->
  // kGone); a broken connection or a malformed line throws ApiError(kTransport/kBadResponse).
  // ERROR events are passed to the handler (their object is a Status).
  void Watch(const Resource& r, std::string_view ns, const WatchOptions& options,
             const WatchHandler& handler, http::CancelToken* cancel = nullptr) const;

  ClientMetrics* metrics() const { return metrics_.get(); }

 private:
  // `request.url` holds the path and query; Do() makes it absolute under server_.
  http::Response Do(std::string_view verb, http::Request request) const;
  Json DoJson(std::string_view verb, http::Request request) const;

  std::shared_ptr<http::Client> http_;
  std::string server_;
  std::string default_namespace_;
  ClientOptions options_;
  std::unique_ptr<ClientMetrics> metrics_;
};

}  // namespace pulse::kube
