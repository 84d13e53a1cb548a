#include "pulse/kube/rest_client.h"

#include <algorithm>
#include <random>

#include "pulse/kube/client_metrics.h"
#include "pulse/kube/token_bucket.h"

namespace pulse::kube {
namespace {

// Invalid UTF-8 in a string (user text in an Event note) is replaced, not thrown.
std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

void AddQuery(std::string& path, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  path += path.find('?') == std::string::npos ? '?' : '&';
  path += key;
  path += '=';
  path += QueryEscape(value);
}

std::string NameOf(const Json& object) {
  if (!object.is_object()) throw std::invalid_argument("object must be a JSON object");
  const auto& md = object.value("metadata", Json::object());
  if (!md.is_object() || !md.contains("name") || !md["name"].is_string()) {
    throw std::invalid_argument("object has no metadata.name");
  }
  return md["name"].get<std::string>();
}

std::string_view PropagationName(Propagation p) {
  switch (p) {
    case Propagation::kForeground:
      return "Foreground";
    case Propagation::kBackground:
      return "Background";
    case Propagation::kOrphan:
      return "Orphan";
    case Propagation::kDefault:
      break;
  }
  return "";
}

std::shared_ptr<http::Client> MakeHttp(const Config& config) {
  auto made = http::MakeClient(config.ToHttpOptions());
  if (!made.ok()) throw ConfigError(config.source + ": " + made.status().message());
  return std::shared_ptr<http::Client>(std::move(made).value());
}

// The API server speaks JSON unless a request says otherwise (apply, merge patch).
void AddJsonHeaders(http::Request& request) {
  bool has_type = false;
  bool has_accept = false;
  for (const auto& [k, v] : request.headers) {
    has_type |= k == "Content-Type" || k == "content-type";
    has_accept |= k == "Accept" || k == "accept";
  }
  if (!has_accept) request.headers.emplace_back("Accept", "application/json");
  if (!has_type && (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
                    request.method == "PATCH")) {
    request.headers.emplace_back("Content-Type", "application/json");
  }
}

// A 429 was not processed by the server, so any request may be sent again. A 5xx or a broken
// connection may have been processed: only requests whose repetition changes nothing are
// retried. GET, PUT (a conditional PUT repeated after success meets a 409, which the caller
// handles), server-side apply and merge PATCH, and DELETE (a repeat meets a 404) qualify; a POST
// could create the object twice.
bool ShouldRetry(const ApiError& e, const std::string& method) {
  return e.reason() == Reason::kTooManyRequests || (method != "POST" && e.Retriable());
}

std::string Millis(std::chrono::nanoseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

// What a client and the clients WithRetry made from it share.
struct Client::Shared {
  std::unique_ptr<ClientMetrics> metrics;
  base::Clock* clock = nullptr;
  std::unique_ptr<TokenBucket> limiter;  // null: unlimited
  std::shared_ptr<http::CancelToken> shutdown;
  int registration = 0;
  // Fired by `shutdown`; the waits sleep on it (base::Clock waits on a Stopper).
  base::Stopper stopper;

  ~Shared() { shutdown->Unregister(registration); }
};

Client::Client(const Config& config, ClientOptions options)
    : Client(MakeHttp(config), config.server, config.default_namespace, std::move(options)) {}

Client::Client(std::shared_ptr<http::Client> http, std::string server,
               std::string default_namespace, ClientOptions options)
    : http_(std::move(http)),
      server_(std::move(server)),
      default_namespace_(std::move(default_namespace)),
      options_(std::move(options)),
      shared_(std::make_shared<Shared>()) {
  if (options_.registry) shared_->metrics = std::make_unique<ClientMetrics>(*options_.registry);
  shared_->clock = options_.clock != nullptr ? options_.clock : &base::DefaultClock();
  if (options_.qps > 0) {
    shared_->limiter = std::make_unique<TokenBucket>(options_.qps, options_.burst, *shared_->clock);
  }
  if (!options_.shutdown) options_.shutdown = std::make_shared<http::CancelToken>();
  shared_->shutdown = options_.shutdown;
  // A weak reference: the token may be shared by clients that outlive this one.
  shared_->registration = shared_->shutdown->Register([weak = std::weak_ptr<Shared>(shared_)] {
    if (auto shared = weak.lock()) shared->stopper.Stop();
  });
}

Client::Client(const Client& base, const RetryOptions& retry)
    : http_(base.http_),
      server_(base.server_),
      default_namespace_(base.default_namespace_),
      options_(base.options_),
      shared_(base.shared_) {
  options_.retry = retry;
}

Client::~Client() = default;

std::unique_ptr<Client> Client::WithRetry(const RetryOptions& retry) const {
  return std::unique_ptr<Client>(new Client(*this, retry));
}

void Client::Shutdown() const { shared_->shutdown->Cancel(); }

bool Client::shut_down() const { return shared_->stopper.stopped(); }

ClientMetrics* Client::metrics() const { return shared_->metrics.get(); }

void Client::Throttle(const std::string& context) const {
  Shared& s = *shared_;
  // After shutdown nothing waits: the few requests a graceful stop still makes go out at once.
  if (!s.limiter || s.stopper.stopped()) return;
  const auto waited = s.limiter->Acquire(s.stopper);
  if (!waited) {
    if (s.metrics) s.metrics->CountError(Reason::kCancelled);
    throw ApiError(Reason::kCancelled, 0,
                   context + ": Cancelled: the client shut down while the request waited for " +
                       "the client-side rate limit");
  }
  if (s.metrics) s.metrics->ObserveRateLimitWait(*waited);
}

http::Response Client::Do(std::string_view verb, http::Request request) const {
  const std::string context = request.method + " " + request.url;
  request.url = server_ + request.url;
  request.max_body_bytes = options_.max_body_bytes;
  AddJsonHeaders(request);
  Shared& s = *shared_;
  ClientMetrics* const metrics = s.metrics.get();
  const RetryOptions& retry = options_.retry;
  const auto first = s.clock->Now();
  std::optional<Backoff> backoff;  // made at the first retry: most requests never need one
  for (int attempt = 1;; ++attempt) {
    Throttle(context);
    const auto start = std::chrono::steady_clock::now();
    base::StatusOr<http::Response> sent = http_->Send(request);
    std::optional<ApiError> err;
    if (!sent.ok()) {
      // The body limit is enforced while reading, so an oversized answer arrives as an error
      // without a status: it is the server's answer that is bad, not the connection.
      const Reason reason = sent.status().code() == base::StatusCode::kResourceExhausted
                                ? Reason::kBadResponse
                                : Reason::kTransport;
      if (metrics) metrics->ObserveRequest(verb, 0, std::chrono::steady_clock::now() - start);
      err.emplace(reason, 0, sent.status().message());
    } else {
      http::Response resp = std::move(sent).value();
      if (metrics) {
        metrics->ObserveRequest(verb, resp.status, std::chrono::steady_clock::now() - start);
      }
      if (resp.status >= 200 && resp.status <= 299) return resp;
      err.emplace(ErrorFromResponse(resp.status, resp.body, resp.Header("retry-after"), context));
    }
    auto fail = [&](const ApiError& e) -> ApiError {
      if (metrics) metrics->CountError(e.reason());
      return e;
    };
    if (!ShouldRetry(*err, request.method) || attempt >= retry.max_attempts) throw fail(*err);
    std::chrono::nanoseconds wait;
    if (err->retry_after()) {
      // Never spin: a Retry-After of 0 still waits a little.
      wait = std::max<std::chrono::nanoseconds>(
          std::min<std::chrono::nanoseconds>(*err->retry_after(), retry.max_retry_after),
          std::chrono::milliseconds(100));
    } else {
      if (!backoff) backoff.emplace(retry.backoff);
      wait = backoff->Next();
    }
    const auto elapsed = s.clock->Now() - first;
    if (elapsed + wait > retry.max_elapsed) {
      // Give up now rather than sleep only to give up: the caller (a work queue) has its own
      // backoff and should hear about the failure.
      throw fail(ApiError(err->reason(), err->code(),
                          std::string(err->what()) + " (gave up after " + std::to_string(attempt) +
                              (attempt == 1 ? " attempt" : " attempts") + " in " + Millis(elapsed) +
                              ": the next wait of " + Millis(wait) +
                              " would exceed the retry budget of " + Millis(retry.max_elapsed) +
                              ")",
                          err->status_reason(), err->causes(), err->retry_after()));
    }
    if (s.stopper.stopped() || s.clock->Sleep(wait, s.stopper)) {
      throw fail(ApiError(Reason::kCancelled, 0,
                          context + ": Cancelled: the client shut down while the request waited " +
                              "to retry after: " + err->what()));
    }
    if (metrics) metrics->CountRetry(verb);
  }
}

Json Client::DoJson(std::string_view verb, http::Request request) const {
  const std::string context = request.method + " " + request.url;
  http::Response resp = Do(verb, std::move(request));
  Json j = Json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    if (ClientMetrics* metrics = shared_->metrics.get()) metrics->CountError(Reason::kBadResponse);
    throw ApiError(Reason::kBadResponse, resp.status,
                   context + ": response is not a JSON object (" +
                       std::to_string(resp.body.size()) + " bytes)");
  }
  return j;
}

Json Client::Get(const Resource& r, std::string_view ns, std::string_view name) const {
  http::Request req;
  req.url = r.ItemPath(ns, name);
  return DoJson("get", std::move(req));
}

Json Client::List(const Resource& r, std::string_view ns, const ListOptions& o) const {
  http::Request req;
  req.url = r.CollectionPath(ns);
  AddQuery(req.url, "labelSelector", o.label_selector);
  AddQuery(req.url, "fieldSelector", o.field_selector);
  if (o.limit > 0) AddQuery(req.url, "limit", std::to_string(o.limit));
  AddQuery(req.url, "continue", o.continue_token);
  AddQuery(req.url, "resourceVersion", o.resource_version);
  if (o.metadata_only) {
    req.headers.emplace_back("Accept",
                             "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
  }
  Json j = DoJson("list", std::move(req));
  if (!j.contains("items") || !(j["items"].is_array() || j["items"].is_null())) {
    throw ApiError(Reason::kBadResponse, 200, "list of " + r.resource + ": no items array");
  }
  if (j["items"].is_null()) j["items"] = Json::array();
  return j;
}

Json Client::ListAll(const Resource& r, std::string_view ns, const ListOptions& options) const {
  Json items = Json::array();
  Json metadata = ListEach(r, ns, options, [&items](Json& page) {
    for (auto& item : page) items.push_back(std::move(item));
  });
  return Json{{"items", std::move(items)}, {"metadata", std::move(metadata)}};
}

Json Client::ListEach(const Resource& r, std::string_view ns, const ListOptions& options,
                      const std::function<void(Json& items)>& on_page) const {
  ListOptions o = options;
  Json page = List(r, ns, o);
  int pages = 1;
  while (true) {
    on_page(page["items"]);
    Json& md = page["metadata"];
    const std::string cont = md.is_object() ? md.value("continue", "") : "";
    if (cont.empty()) break;
    if (++pages > 1000000) throw ApiError(Reason::kBadResponse, 200, "list never ends");
    o.continue_token = cont;
    o.resource_version.clear();  // the continue token pins the snapshot
    page = List(r, ns, o);
  }
  Json metadata = std::move(page["metadata"]);
  if (metadata.is_object()) metadata.erase("continue");
  return metadata;
}

Json Client::Create(const Resource& r, std::string_view ns, const Json& object) const {
  http::Request req;
  req.method = "POST";
  req.url = r.CollectionPath(ns);
  req.body = Dump(object);
  return DoJson("create", std::move(req));
}

Json Client::Update(const Resource& r, std::string_view ns, const Json& object) const {
  http::Request req;
  req.method = "PUT";
  req.url = r.ItemPath(ns, NameOf(object));
  req.body = Dump(object);
  return DoJson("update", std::move(req));
}

Json Client::UpdateStatus(const Resource& r, std::string_view ns, const Json& object) const {
  http::Request req;
  req.method = "PUT";
  req.url = r.ItemPath(ns, NameOf(object), "status");
  req.body = Dump(object);
  return DoJson("update_status", std::move(req));
}

Json Client::Apply(const Resource& r, std::string_view ns, std::string_view name,
                   const Json& object, const ApplyOptions& options) const {
  http::Request req;
  req.method = "PATCH";
  req.url = r.ItemPath(ns, name, options.subresource);
  AddQuery(req.url, "fieldManager", options_.field_manager);
  if (options.force) AddQuery(req.url, "force", "true");
  // JSON is YAML, so the object goes as it is.
  req.headers.emplace_back("Content-Type", "application/apply-patch+yaml");
  req.body = Dump(object);
  return DoJson("apply", std::move(req));
}

Json Client::MergePatch(const Resource& r, std::string_view ns, std::string_view name,
                        const Json& patch, std::string_view subresource) const {
  http::Request req;
  req.method = "PATCH";
  req.url = r.ItemPath(ns, name, subresource);
  AddQuery(req.url, "fieldManager", options_.field_manager);
  req.headers.emplace_back("Content-Type", "application/merge-patch+json");
  req.body = Dump(patch);
  return DoJson("patch", std::move(req));
}

Json Client::Delete(const Resource& r, std::string_view ns, std::string_view name,
                    const DeleteOptions& options) const {
  http::Request req;
  req.method = "DELETE";
  req.url = r.ItemPath(ns, name);
  Json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (options.propagation != Propagation::kDefault) {
    body["propagationPolicy"] = PropagationName(options.propagation);
  }
  if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
  }
  if (!options.precondition_uid.empty()) body["preconditions"]["uid"] = options.precondition_uid;
  req.body = Dump(body);
  return DoJson("delete", std::move(req));
}

void Client::Watch(const Resource& r, std::string_view ns, const WatchOptions& o,
                   const WatchHandler& handler, http::CancelToken* cancel) const {
  http::Request req;
  req.url = r.CollectionPath(ns);
  AddQuery(req.url, "watch", "true");
  AddQuery(req.url, "labelSelector", o.label_selector);
  AddQuery(req.url, "fieldSelector", o.field_selector);
  AddQuery(req.url, "resourceVersion", o.resource_version);
  if (o.allow_bookmarks) AddQuery(req.url, "allowWatchBookmarks", "true");
  AddQuery(req.url, "timeoutSeconds", std::to_string(o.server_timeout.count()));
  req.timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(o.server_timeout + o.client_slack);
  const std::string context = "GET " + req.url;
  req.url = server_ + req.url;
  AddJsonHeaders(req);
  ClientMetrics* const metrics = shared_->metrics.get();
  const auto start = std::chrono::steady_clock::now();
  base::StatusOr<http::Response> streamed = http::Response{};
  try {
    streamed = http_->Stream(
        req,
        [&](std::string_view line) {
          if (line.empty()) return true;
          WatchEvent ev = ParseWatchEvent(line);  // throws kBadResponse
          if (metrics)
            metrics->CountWatchEvent(r.resource, WatchEventTypeName(ev.type));  // bounded labels
          return handler(std::move(ev));
        },
        cancel, options_.max_watch_line_bytes);
  } catch (const ApiError& e) {
    if (metrics) metrics->CountError(e.reason());
    throw;
  }
  if (cancel != nullptr && cancel->cancelled()) return;
  if (!streamed.ok()) {
    // A broken connection, a timeout or an oversized line: the informer re-lists or re-watches.
    if (metrics) {
      metrics->ObserveRequest("watch", 0, std::chrono::steady_clock::now() - start);
      metrics->CountError(Reason::kTransport);
    }
    throw ApiError(Reason::kTransport, 0, streamed.status().message());
  }
  const http::Response& resp = streamed.value();
  if (metrics) {
    metrics->ObserveRequest("watch", resp.status, std::chrono::steady_clock::now() - start);
  }
  if (resp.status < 200 || resp.status > 299) {
    ApiError err = ErrorFromResponse(resp.status, resp.body, resp.Header("retry-after"), context);
    if (metrics) metrics->CountError(err.reason());
    throw err;
  }
}

}  // namespace pulse::kube
