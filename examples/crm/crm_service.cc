#include "crm_service.h"

#include <nlohmann/json.hpp>
#include <set>

#include "pulse/demo/json_util.h"

namespace pulse::demo::crm {
namespace {

using nlohmann::json;

// Lists a collection: ids from a sorted set (newest first, at most 100), bodies with one MGET.
HttpResponse List(RedisPool& redis, const std::string& kind) {
  const red::RedisReply ids = redis.Command({"ZREVRANGE", "crm:" + kind, "0", "99"});
  if (!ids.ok()) return HttpResponse::Error(503, "store: " + ids.str);
  json out = json::array();
  if (!ids.elements.empty()) {
    std::vector<std::string> keys;
    for (const auto& e : ids.elements) keys.push_back("crm:" + kind + ":" + e.str);
    std::vector<std::string_view> argv{"MGET"};
    for (const auto& k : keys) argv.push_back(k);
    auto lease = redis.Acquire();
    const red::RedisReply bodies = lease->Command(argv);
    if (!bodies.ok()) return HttpResponse::Error(503, "store: " + bodies.str);
    for (const auto& b : bodies.elements) {
      if (b.type == red::RedisReply::Type::kString) out.push_back(json::parse(b.str));
    }
  }
  return HttpResponse::Json(200, json{{kind, out}}.dump());
}

HttpResponse GetOne(RedisPool& redis, const std::string& kind, const std::string& id_text) {
  const auto id = IdParam(id_text);
  if (!id) return HttpResponse::Error(400, "id must be a number");
  const red::RedisReply r = redis.Command({"GET", "crm:" + kind + ":" + std::to_string(*id)});
  if (!r.ok()) return HttpResponse::Error(503, "store: " + r.str);
  if (r.type != red::RedisReply::Type::kString) {
    return HttpResponse::Error(404, "no " + kind + " " + id_text);
  }
  return HttpResponse::Json(200, r.str);
}

HttpResponse Create(RedisPool& redis, const std::string& kind, json object) {
  const red::RedisReply id = redis.Command({"INCR", "crm:" + kind + ":seq"});
  if (!id.ok()) return HttpResponse::Error(503, "store: " + id.str);
  object["id"] = id.integer;
  const std::string id_text = std::to_string(id.integer);
  redis.Command({"SET", "crm:" + kind + ":" + id_text, object.dump()});
  redis.Command({"ZADD", "crm:" + kind, id_text, id_text});
  return HttpResponse::Json(201, object.dump());
}

}  // namespace

std::vector<Route> MakeRoutes(std::shared_ptr<RedisPool> redis) {
  std::vector<Route> routes;
  routes.push_back(
      {"GET", "/customers", [redis](const HttpRequest&) { return List(*redis, "customers"); }});
  routes.push_back({"POST", "/customers", [redis](const HttpRequest& req) {
                      HttpResponse error;
                      const auto body = ParseObject(req.body, &error);
                      if (!body) return error;
                      const auto name = StringField(*body, "name", &error);
                      if (!name) return error;
                      const auto email = StringField(*body, "email", &error);
                      if (!email) return error;
                      if (email->find('@') == std::string::npos) {
                        return HttpResponse::Error(400, "field \"email\" must contain '@'");
                      }
                      return Create(*redis, "customers", json{{"name", *name}, {"email", *email}});
                    }});
  routes.push_back({"GET", "/customers/{id}", [redis](const HttpRequest& req) {
                      return GetOne(*redis, "customers", req.params.at("id"));
                    }});
  routes.push_back(
      {"GET", "/deals", [redis](const HttpRequest&) { return List(*redis, "deals"); }});
  routes.push_back(
      {"POST", "/deals", [redis](const HttpRequest& req) {
         HttpResponse error;
         const auto body = ParseObject(req.body, &error);
         if (!body) return error;
         const auto customer = NumberField(*body, "customer_id", &error, 1, 1e15);
         if (!customer) return error;
         const auto title = StringField(*body, "title", &error);
         if (!title) return error;
         const auto amount = NumberField(*body, "amount", &error, 0, 1e12);
         if (!amount) return error;
         const red::RedisReply exists = redis->Command(
             {"EXISTS", "crm:customers:" + std::to_string(static_cast<long long>(*customer))});
         if (exists.integer == 0) return HttpResponse::Error(409, "no such customer");
         return Create(*redis, "deals",
                       json{{"customer_id", static_cast<long long>(*customer)},
                            {"title", *title},
                            {"amount", *amount},
                            {"stage", "lead"}});
       }});
  routes.push_back({"GET", "/deals/{id}", [redis](const HttpRequest& req) {
                      return GetOne(*redis, "deals", req.params.at("id"));
                    }});
  routes.push_back({"PUT", "/deals/{id}/stage", [redis](const HttpRequest& req) {
                      static const std::set<std::string> kStages = {"lead", "qualified", "proposal",
                                                                    "won", "lost"};
                      HttpResponse error;
                      const auto body = ParseObject(req.body, &error);
                      if (!body) return error;
                      const auto stage = StringField(*body, "stage", &error, 20);
                      if (!stage) return error;
                      if (!kStages.count(*stage))
                        return HttpResponse::Error(400, "unknown stage " + *stage);
                      HttpResponse current = GetOne(*redis, "deals", req.params.at("id"));
                      if (current.status != 200) return current;
                      json deal = json::parse(current.body);
                      deal["stage"] = *stage;
                      redis->Command({"SET", "crm:deals:" + req.params.at("id"), deal.dump()});
                      return HttpResponse::Json(200, deal.dump());
                    }});
  return routes;
}

}  // namespace pulse::demo::crm
