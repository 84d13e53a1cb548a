// The typed-error REST client for the Kubernetes API: get, list (selectors, paging), create,
// update, status update, server-side apply, merge patch, delete, watch. Objects are
// nlohmann::json. Non-2xx answers throw ApiError (see api_error.h).
//
// Manners toward the API server (docs/operator.md, "Talking to the apiserver"):
//  - every request but a watch first takes a token of a client-side rate limit (qps + burst);
//  - a 429 is retried for every verb (the server did not process it), after its Retry-After;
//    a 5xx or a transport failure only for requests that are safe to repeat (everything but
//    POST), after a jittered exponential backoff or the server's Retry-After; within
//    RetryOptions' attempt and elapsed-time budget, after which the last error is thrown;
//  - Shutdown() ends every such wait at once with ApiError(kCancelled). From then on a request
//    is still sent, once, without waiting: what a graceful stop still has to say (the last
//    status writes of draining workers, the Lease release) goes out at once.
// Thread-safe: one Client serves many threads (it holds no per-call state).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "pulse/base/clock.h"
#include "pulse/http/client.h"
#include "pulse/kube/api_error.h"
#include "pulse/kube/backoff.h"
#include "pulse/kube/config.h"
#include "pulse/kube/resource.h"
#include "pulse/kube/watch_event.h"

namespace prometheus {
class Registry;
}

namespace pulse::kube {

class ClientMetrics;
using Json = nlohmann::json;

struct RetryOptions {
  // Attempts in all, the first included; 1 = never retry.
  int max_attempts = 6;
  // No wait is begun that would end later than this after the first attempt started.
  std::chrono::milliseconds max_elapsed{60000};
  // Waits between attempts when the server sent no Retry-After (5xx, transport errors).
  BackoffOptions backoff{std::chrono::milliseconds(250), std::chrono::milliseconds(8000), 2.0, 0.2};
  // A Retry-After (429, 503) is honoured up to this; a Retry-After of 0 still waits 100 ms.
  std::chrono::seconds max_retry_after{30};
};

struct ClientOptions {
  // Metrics go here when set (the registry must outlive the client).
  std::shared_ptr<prometheus::Registry> registry;
  std::string field_manager = "pulse-operator";
  RetryOptions retry;
  // Client-side rate limit of every request but watches: `burst` at once, then `qps` per
  // second; qps 0 = unlimited. Sized for an operator (client-go's defaults are 5 and 10).
  double qps = 20;
  int burst = 40;
  // Cancelling this token is Client::Shutdown(); share one token to stop several clients.
  // Null: the client makes its own.
  std::shared_ptr<http::CancelToken> shutdown;
  // Clock of the retry and rate-limit waits (tests use a FakeClock); null = the real clock.
  // Must outlive the client.
  base::Clock* clock = nullptr;
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
  // Items as PartialObjectMetadata (apiVersion, kind, metadata only): for a caller that reads
  // only names, labels or annotations of objects whose data may be large.
  bool metadata_only = false;
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
  // A client over the same connection, rate limit, metrics and shutdown, with other retries.
  // For callers that retry on their own schedule and must not be held up by ours (the leader
  // elector, whose renew deadline a retrying request would overrun).
  std::unique_ptr<Client> WithRetry(const RetryOptions& retry) const;
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
  // The same pages, handed over one at a time: `on_page` gets each page's items array (it may
  // move them away), so a caller that keeps the objects in another form never holds the whole
  // list parsed. Returns the last page's metadata (without `continue`).
  Json ListEach(const Resource& r, std::string_view ns, const ListOptions& options,
                const std::function<void(Json& items)>& on_page) const;
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

  // Ends every retry and rate-limit wait of this client (and of the clients sharing its
  // token) at once with ApiError(kCancelled); later requests are sent once without waiting.
  // Idempotent; callable from any thread, e.g. a signal handler's thread.
  void Shutdown() const;
  bool shut_down() const;

  ClientMetrics* metrics() const;

 private:
  struct Shared;
  Client(const Client& base, const RetryOptions& retry);
  // `request.url` holds the path and query; Do() makes it absolute under server_.
  http::Response Do(std::string_view verb, http::Request request) const;
  Json DoJson(std::string_view verb, http::Request request) const;
  // Takes a rate-limit token; throws ApiError(kCancelled) when shut down during the wait.
  void Throttle(const std::string& context) const;

  std::shared_ptr<http::Client> http_;
  std::string server_;
  std::string default_namespace_;
  ClientOptions options_;
  std::shared_ptr<Shared> shared_;  // with every client made by WithRetry
};

}  // namespace pulse::kube
