#include "rabbitmq_management.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "pulse/demo/flags.h"

namespace pulse::demo::shop {

using nlohmann::json;

std::pair<std::string, int> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    throw std::invalid_argument("\"" + url + "\" is not an http:// URL");
  }
  std::string rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos) {
    throw std::invalid_argument("\"" + url + "\": give the management API root, without a path");
  }
  return ParseHostPort(rest);
}

RabbitMqManagement::RabbitMqManagement(const std::string& base_url, const std::string& user,
                                       const std::string& password)
    : auth_("Basic " + Base64(user + ":" + password)),
      http_(ParseHttpUrl(base_url).first, ParseHttpUrl(base_url).second) {}

HttpResult RabbitMqManagement::Call(const std::string& method, const std::string& path,
                                    const std::string& body) {
  std::lock_guard<std::mutex> lock(mu_);
  return http_.Request(method, path, body,
                       {{"Authorization", auth_}, {"Content-Type", "application/json"}});
}

void RabbitMqManagement::DeclareTopology() {
  const std::pair<std::string, std::string> calls[] = {
      {"/api/exchanges/%2F/shop.events", R"({"type":"topic","durable":true})"},
      {"/api/exchanges/%2F/shop.dlx", R"({"type":"fanout","durable":true})"},
      {"/api/queues/%2F/shop.orders.dlq", R"({"durable":true})"},
      {"/api/queues/%2F/shop.orders",
       R"({"durable":true,"arguments":{"x-dead-letter-exchange":"shop.dlx"}})"},
  };
  for (const auto& [path, body] : calls) {
    const HttpResult r = Call("PUT", path, body);
    if (!r.ok()) {
      throw std::runtime_error("rabbitmq: PUT " + path + ": " +
                               (r.status ? std::to_string(r.status) + " " + r.body : r.error));
    }
  }
  const std::pair<std::string, std::string> bindings[] = {
      {"/api/bindings/%2F/e/shop.dlx/q/shop.orders.dlq", R"({"routing_key":""})"},
      {"/api/bindings/%2F/e/shop.events/q/shop.orders", R"({"routing_key":"order.#"})"},
  };
  for (const auto& [path, body] : bindings) {
    const HttpResult r = Call("POST", path, body);
    if (!r.ok()) {
      throw std::runtime_error("rabbitmq: POST " + path + ": " +
                               (r.status ? std::to_string(r.status) + " " + r.body : r.error));
    }
  }
}

void RabbitMqManagement::Publish(const std::string& json_event) {
  const json msg = {{"properties", {{"delivery_mode", 2}, {"content_type", "application/json"}}},
                    {"routing_key", "order.created"},
                    {"payload", json_event},
                    {"payload_encoding", "string"}};
  const HttpResult r = Call("POST", "/api/exchanges/%2F/shop.events/publish", msg.dump());
  if (!r.ok()) {
    throw std::runtime_error("rabbitmq publish: " +
                             (r.status ? std::to_string(r.status) + " " + r.body : r.error));
  }
  const json answer = json::parse(r.body, nullptr, false);
  if (answer.is_discarded() || !answer.value("routed", false)) {
    throw std::runtime_error("rabbitmq publish: event was not routed to any queue: " + r.body);
  }
}

bool RabbitMqManagement::TakeOne(const std::string& queue, bool reject) {
  const json req = {{"count", 1},
                    {"ackmode", reject ? "reject_requeue_false" : "ack_requeue_false"},
                    {"encoding", "auto"}};
  const HttpResult r = Call("POST", "/api/queues/%2F/" + queue + "/get", req.dump());
  if (!r.ok()) {
    throw std::runtime_error("rabbitmq get " + queue + ": " +
                             (r.status ? std::to_string(r.status) + " " + r.body : r.error));
  }
  const json answer = json::parse(r.body, nullptr, false);
  return answer.is_array() && !answer.empty();
}

}  // namespace pulse::demo::shop
