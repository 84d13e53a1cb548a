#include "mes_service.h"

#include <nlohmann/json.hpp>
#include <set>

#include "pulse/demo/json_util.h"

namespace pulse::demo::mes {
namespace {

using nlohmann::json;

const std::set<std::string> kStatuses = {"planned", "running", "done", "cancelled"};

json WorkOrderJson(const PgRow& r) {
  return json{{"id", std::stoll(r[0])},
              {"product", r[1]},
              {"quantity", std::stoll(r[2])},
              {"status", r[3]}};
}

bool ValidMachineId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::vector<Route> MakeRoutes(std::shared_ptr<RedisPool> redis, std::shared_ptr<PgPool> pg) {
  pg->Exec(
      "CREATE TABLE IF NOT EXISTS mes_work_orders (id bigserial PRIMARY KEY, product text NOT "
      "NULL, quantity integer NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL "
      "DEFAULT now())");
  pg->Exec(
      "CREATE TABLE IF NOT EXISTS mes_telemetry (machine_id text NOT NULL, at timestamptz NOT "
      "NULL DEFAULT now(), temperature double precision NOT NULL, spindle_rpm double precision "
      "NOT NULL)");
  std::vector<Route> routes;
  routes.push_back(
      {"GET", "/work-orders", [pg](const HttpRequest& req) {
         const std::string status = req.QueryParam("status");
         if (!status.empty() && !kStatuses.count(status)) {
           return HttpResponse::Error(400, "unknown status " + status);
         }
         const auto rows =
             status.empty()
                 ? pg->Exec(
                       "SELECT id, product, quantity, status FROM mes_work_orders ORDER BY "
                       "id DESC LIMIT 50")
                 : pg->Exec(
                       "SELECT id, product, quantity, status FROM mes_work_orders WHERE "
                       "status = $1 ORDER BY id DESC LIMIT 50",
                       {status});
         json out = json::array();
         for (const auto& r : rows) out.push_back(WorkOrderJson(r));
         return HttpResponse::Json(200, json{{"work_orders", out}}.dump());
       }});
  routes.push_back({"POST", "/work-orders", [pg](const HttpRequest& req) {
                      HttpResponse error;
                      const auto body = ParseObject(req.body, &error);
                      if (!body) return error;
                      const auto product = StringField(*body, "product", &error);
                      if (!product) return error;
                      const auto qty = NumberField(*body, "quantity", &error, 1, 1e6);
                      if (!qty) return error;
                      const auto rows = pg->Exec(
                          "INSERT INTO mes_work_orders (product, quantity, status) VALUES ($1, "
                          "$2, 'planned') RETURNING id, product, quantity, status",
                          {*product, std::to_string(static_cast<long long>(*qty))});
                      return HttpResponse::Json(201, WorkOrderJson(rows[0]).dump());
                    }});
  routes.push_back({"GET", "/work-orders/{id}", [redis, pg](const HttpRequest& req) {
                      const auto id = IdParam(req.params.at("id"));
                      if (!id) return HttpResponse::Error(400, "id must be a number");
                      const std::string key = "mes:wo:" + std::to_string(*id);
                      const red::RedisReply cached = redis->Command({"GET", key});
                      if (cached.type == red::RedisReply::Type::kString) {
                        return HttpResponse::Json(200, cached.str);
                      }
                      const auto rows = pg->Exec(
                          "SELECT id, product, quantity, status FROM mes_work_orders WHERE id = $1",
                          {std::to_string(*id)});
                      if (rows.empty())
                        return HttpResponse::Error(404, "no work order " + req.params.at("id"));
                      const std::string body = WorkOrderJson(rows[0]).dump();
                      redis->Command({"SETEX", key, "10", body});
                      return HttpResponse::Json(200, body);
                    }});
  routes.push_back({"PUT", "/work-orders/{id}/status", [redis, pg](const HttpRequest& req) {
                      const auto id = IdParam(req.params.at("id"));
                      if (!id) return HttpResponse::Error(400, "id must be a number");
                      HttpResponse error;
                      const auto body = ParseObject(req.body, &error);
                      if (!body) return error;
                      const auto status = StringField(*body, "status", &error, 20);
                      if (!status) return error;
                      if (!kStatuses.count(*status)) {
                        return HttpResponse::Error(400, "unknown status " + *status);
                      }
                      const auto rows = pg->Exec(
                          "UPDATE mes_work_orders SET status = $2 WHERE id = $1 RETURNING id, "
                          "product, quantity, status",
                          {std::to_string(*id), *status});
                      if (rows.empty())
                        return HttpResponse::Error(404, "no work order " + req.params.at("id"));
                      redis->Command({"DEL", "mes:wo:" + std::to_string(*id)});
                      return HttpResponse::Json(200, WorkOrderJson(rows[0]).dump());
                    }});
  routes.push_back(
      {"POST", "/machines/{id}/telemetry", [redis, pg](const HttpRequest& req) {
         const std::string& machine = req.params.at("id");
         if (!ValidMachineId(machine)) return HttpResponse::Error(400, "malformed machine id");
         HttpResponse error;
         const auto body = ParseObject(req.body, &error);
         if (!body) return error;
         const auto temp = NumberField(*body, "temperature", &error, -100, 2000);
         if (!temp) return error;
         const auto rpm = NumberField(*body, "spindle_rpm", &error, 0, 100000);
         if (!rpm) return error;
         pg->Exec(
             "INSERT INTO mes_telemetry (machine_id, temperature, spindle_rpm) VALUES ($1, "
             "$2, $3)",
             {machine, std::to_string(*temp), std::to_string(*rpm)});
         const json reading = {{"machine", machine}, {"temperature", *temp}, {"spindle_rpm", *rpm}};
         redis->Command({"SET", "mes:machine:" + machine + ":latest", reading.dump()});
         return HttpResponse::Json(201, reading.dump());
       }});
  routes.push_back(
      {"GET", "/machines/{id}/telemetry", [redis](const HttpRequest& req) {
         const std::string& machine = req.params.at("id");
         if (!ValidMachineId(machine)) {
           return HttpResponse::Error(400, "malformed machine id");
         }
         const red::RedisReply r = redis->Command({"GET", "mes:machine:" + machine + ":latest"});
         if (r.type != red::RedisReply::Type::kString) {
           return HttpResponse::Error(404, "no telemetry for " + machine);
         }
         return HttpResponse::Json(200, r.str);
       }});
  return routes;
}

}  // namespace pulse::demo::mes
