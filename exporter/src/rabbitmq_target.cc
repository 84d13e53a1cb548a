#include "pulse/exporter/rabbitmq_target.h"

#include "pulse/exporter/credentials.h"
#include "pulse/exporter/rabbitmq_topology.h"
#include "pulse/http/encoding.h"

namespace pulse::exporter {
namespace {

// Fetches one API path; on failure fills *failure with a reason and a message.
using http::BasicAuthorization;
using http::PercentEncode;

bool Fetch(http::Client& http, const std::string& url, const std::string& auth, Duration timeout,
           std::string* body, RefreshResult* failure) {
  http::Request req;
  req.url = url;
  req.timeout = timeout;
  req.headers = {{"Authorization", auth}, {"Accept", "application/json"}};
  auto sent = http.Send(req);
  // The URL never holds credentials (they go in the Authorization header), so it may be logged;
  // the Status message already names the method and URL.
  if (!sent.ok()) {
    *failure =
        RefreshResult::Failure(ReasonForHttpError(sent.status().code()), sent.status().message());
    return false;
  }
  http::Response& resp = sent.value();
  if (resp.status == 401 || resp.status == 403) {
    *failure = RefreshResult::Failure(
        reason::kAuth, "GET " + url + ": HTTP " + std::to_string(resp.status) + " (credentials)");
    return false;
  }
  if (resp.status != 200) {
    *failure = RefreshResult::Failure(reason::kHttp,
                                      "GET " + url + ": HTTP " + std::to_string(resp.status));
    return false;
  }
  *body = std::move(resp.body);
  return true;
}

}  // namespace

RabbitMqTarget::RabbitMqTarget(RabbitMqSpec spec, Duration timeout,
                               std::shared_ptr<http::Client> http)
    : spec_(std::move(spec)), timeout_(timeout), http_(std::move(http)) {}

RefreshResult RabbitMqTarget::Refresh(std::stop_token stop) {
  const ResolvedCredential user = ResolveCredential(spec_.username);
  if (!user.ok) return RefreshResult::Failure(reason::kCredentials, "username: " + user.error);
  const ResolvedCredential password = ResolveCredential(spec_.password);
  if (!password.ok) {
    return RefreshResult::Failure(reason::kCredentials, "password: " + password.error);
  }
  const std::string auth = BasicAuthorization(user.value, password.value);
  RefreshResult failure;
  std::string body;
  std::string error;

  // Queues: one listing for all vhosts, or one per configured vhost; paged.
  std::vector<std::string> scopes;
  if (spec_.vhosts.empty()) {
    scopes.push_back("");
  } else {
    for (const auto& v : spec_.vhosts) scopes.push_back("/" + PercentEncode(v));
  }
  std::vector<rabbitmq::Queue> queues;
  for (const auto& scope : scopes) {
    for (int page = 1;; ++page) {
      if (stop.stop_requested()) return RefreshResult::Failure(reason::kTimeout, "stopping");
      const std::string url = spec_.url + "/api/queues" + scope + "?page=" + std::to_string(page) +
                              "&page_size=" + std::to_string(kRabbitQueuesPageSize) +
                              "&disable_stats=true&enable_queue_totals=true";
      if (!Fetch(*http_, url, auth, timeout_, &body, &failure)) return failure;
      rabbitmq::QueuesPage parsed;
      if (!rabbitmq::ParseQueuesPage(body, &parsed, &error)) {
        return RefreshResult::Failure(reason::kParse, "GET " + url + ": " + error);
      }
      for (auto& q : parsed.queues) queues.push_back(std::move(q));
      if (page >= parsed.page_count) break;
      if (page >= 100000) break;  // a lying server cannot keep us paging forever
    }
  }

  // Policies only matter for queues that have one.
  std::vector<rabbitmq::Policy> policies;
  bool any_policy = false;
  for (const auto& q : queues) any_policy = any_policy || !q.policy.empty();
  if (any_policy && spec_.dead_letter_queues.discover) {
    const std::string url = spec_.url + "/api/policies";
    if (!Fetch(*http_, url, auth, timeout_, &body, &failure)) return failure;
    if (!rabbitmq::ParsePolicies(body, &policies, &error)) {
      return RefreshResult::Failure(reason::kParse, "GET " + url + ": " + error);
    }
  }
  const auto targets = rabbitmq::DeadLetterTargets(queues, policies);

  // Bindings of each dead-letter exchange, following exchange-to-exchange bindings.
  std::map<rabbitmq::QueueKey, std::vector<rabbitmq::Binding>> bindings;
  if (spec_.dead_letter_queues.discover) {
    std::set<rabbitmq::QueueKey> pending = rabbitmq::DeadLetterExchanges(targets);
    std::set<rabbitmq::QueueKey> done;
    while (!pending.empty() && done.size() < 1000) {
      const auto exchange = *pending.begin();
      pending.erase(pending.begin());
      if (!done.insert(exchange).second) continue;
      if (stop.stop_requested()) return RefreshResult::Failure(reason::kTimeout, "stopping");
      const std::string url = spec_.url + "/api/exchanges/" + PercentEncode(exchange.first) + "/" +
                              PercentEncode(exchange.second) + "/bindings/source";
      if (!Fetch(*http_, url, auth, timeout_, &body, &failure)) {
        // A DLX that does not exist (404) dead-letters nowhere: not an error of the exporter.
        if (failure.message.find("HTTP 404") != std::string::npos) continue;
        return failure;
      }
      std::vector<rabbitmq::Binding> list;
      if (!rabbitmq::ParseBindings(body, &list, &error)) {
        return RefreshResult::Failure(reason::kParse, "GET " + url + ": " + error);
      }
      for (const auto& b : list) {
        if (b.destination_type == "exchange") pending.insert({exchange.first, b.destination});
      }
      bindings[exchange] = std::move(list);
    }
  }
  const auto dead_letter_queues =
      rabbitmq::DeadLetterQueues(queues, targets, bindings, spec_.dead_letter_queues);

  // Consumers per queue.
  std::map<rabbitmq::QueueKey, int> consumers;
  for (const auto& scope : scopes) {
    const std::string url = spec_.url + "/api/consumers" + scope;
    if (!Fetch(*http_, url, auth, timeout_, &body, &failure)) return failure;
    if (!rabbitmq::ParseConsumers(body, &consumers, &error)) {
      return RefreshResult::Failure(reason::kParse, "GET " + url + ": " + error);
    }
  }

  RefreshResult result;
  result.ok = true;
  result.metrics = rabbitmq::BuildMetrics(queues, consumers, dead_letter_queues, targets);
  return result;
}

}  // namespace pulse::exporter
