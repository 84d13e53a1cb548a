#include "shop_service.h"

#include <nlohmann/json.hpp>

#include "pulse/demo/json_util.h"

namespace pulse::demo::shop {
namespace {

using nlohmann::json;

constexpr const char* kCatalogueKey = "shop:catalogue";
constexpr int kCacheSeconds = 30;

void InitSchema(PgPool& pg) {
  pg.Exec(
      "CREATE TABLE IF NOT EXISTS shop_products (sku text PRIMARY KEY, name text NOT NULL, "
      "price_cents integer NOT NULL, stock integer NOT NULL)");
  pg.Exec(
      "CREATE TABLE IF NOT EXISTS shop_orders (id bigserial PRIMARY KEY, user_id text NOT NULL, "
      "total_cents bigint NOT NULL, items jsonb NOT NULL, created_at timestamptz NOT NULL "
      "DEFAULT now())");
  pg.Exec(
      "INSERT INTO shop_products (sku, name, price_cents, stock) "
      "SELECT 'SKU-' || lpad(i::text, 4, '0'), 'Product ' || i, 199 + i * 100, 1000 "
      "FROM generate_series(1, 50) AS i ON CONFLICT (sku) DO NOTHING");
}

json ProductJson(const PgRow& r) {
  return json{{"sku", r[0]},
              {"name", r[1]},
              {"price_cents", std::stoll(r[2])},
              {"stock", std::stoll(r[3])}};
}

// Cache-aside: Redis first, PostgreSQL on a miss (then cached for kCacheSeconds).
std::optional<json> Product(RedisPool& redis, PgPool& pg, const std::string& sku) {
  const std::string key = "shop:product:" + sku;
  const red::RedisReply cached = redis.Command({"GET", key});
  if (cached.type == red::RedisReply::Type::kString) return json::parse(cached.str);
  const auto rows =
      pg.Exec("SELECT sku, name, price_cents, stock FROM shop_products WHERE sku = $1", {sku});
  if (rows.empty()) return std::nullopt;
  json p = ProductJson(rows[0]);
  redis.Command({"SETEX", key, std::to_string(kCacheSeconds), p.dump()});
  return p;
}

}  // namespace

std::vector<Route> MakeRoutes(std::shared_ptr<RedisPool> redis, std::shared_ptr<PgPool> pg,
                              std::shared_ptr<OrderEvents> events,
                              std::shared_ptr<Invoices> invoices) {
  InitSchema(*pg);
  std::vector<Route> routes;
  routes.push_back({"GET", "/catalogue", [redis, pg](const HttpRequest&) {
                      const red::RedisReply cached = redis->Command({"GET", kCatalogueKey});
                      if (cached.type == red::RedisReply::Type::kString) {
                        return HttpResponse::Json(200, cached.str);
                      }
                      json items = json::array();
                      for (const auto& r : pg->Exec("SELECT sku, name, price_cents, stock FROM "
                                                    "shop_products ORDER BY sku")) {
                        items.push_back(ProductJson(r));
                      }
                      const std::string body = json{{"products", items}}.dump();
                      redis->Command({"SETEX", kCatalogueKey, std::to_string(kCacheSeconds), body});
                      return HttpResponse::Json(200, body);
                    }});
  routes.push_back({"GET", "/catalogue/{sku}", [redis, pg](const HttpRequest& req) {
                      const auto p = Product(*redis, *pg, req.params.at("sku"));
                      if (!p) return HttpResponse::Error(404, "no product " + req.params.at("sku"));
                      return HttpResponse::Json(200, p->dump());
                    }});
  routes.push_back({"GET", "/cart/{user}", [redis](const HttpRequest& req) {
                      const red::RedisReply r =
                          redis->Command({"HGETALL", "shop:cart:" + req.params.at("user")});
                      if (!r.ok()) return HttpResponse::Error(503, "cart store: " + r.str);
                      json items = json::object();
                      for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
                        items[r.elements[i].str] = std::stoll(r.elements[i + 1].str);
                      }
                      return HttpResponse::Json(200, json{{"items", items}}.dump());
                    }});
  routes.push_back(
      {"POST", "/cart/{user}/items", [redis, pg](const HttpRequest& req) {
         HttpResponse error;
         const auto body = ParseObject(req.body, &error);
         if (!body) return error;
         const auto sku = StringField(*body, "sku", &error, 64);
         if (!sku) return error;
         const auto qty = NumberField(*body, "quantity", &error, 1, 100);
         if (!qty) return error;
         if (!Product(*redis, *pg, *sku)) {
           return HttpResponse::Error(404, "no product " + *sku);
         }
         const red::RedisReply r =
             redis->Command({"HINCRBY", "shop:cart:" + req.params.at("user"), *sku,
                             std::to_string(static_cast<long long>(*qty))});
         if (!r.ok()) return HttpResponse::Error(503, "cart store: " + r.str);
         return HttpResponse::Json(201, json{{"sku", *sku}, {"quantity", r.integer}}.dump());
       }});
  routes.push_back({"DELETE", "/cart/{user}", [redis](const HttpRequest& req) {
                      redis->Command({"DEL", "shop:cart:" + req.params.at("user")});
                      return HttpResponse::Json(204, "");
                    }});
  routes.push_back(
      {"POST", "/orders", [redis, pg, events, invoices](const HttpRequest& req) {
         HttpResponse error;
         const auto body = ParseObject(req.body, &error);
         if (!body) return error;
         const auto user = StringField(*body, "user", &error, 128);
         if (!user) return error;
         const std::string cart_key = "shop:cart:" + *user;
         const red::RedisReply cart = redis->Command({"HGETALL", cart_key});
         if (!cart.ok()) return HttpResponse::Error(503, "cart store: " + cart.str);
         if (cart.elements.empty())
           return HttpResponse::Error(409, "cart of " + *user + " is empty");
         json items = json::array();
         long long total = 0;
         for (std::size_t i = 0; i + 1 < cart.elements.size(); i += 2) {
           const auto p = Product(*redis, *pg, cart.elements[i].str);
           if (!p) continue;
           const long long qty = std::stoll(cart.elements[i + 1].str);
           total += qty * (*p)["price_cents"].get<long long>();
           items.push_back({{"sku", cart.elements[i].str}, {"quantity", qty}});
         }
         const auto rows = pg->Exec(
             "INSERT INTO shop_orders (user_id, total_cents, items) VALUES ($1, $2, $3::jsonb) "
             "RETURNING id",
             {*user, std::to_string(total), items.dump()});
         redis->Command({"DEL", cart_key});
         const json order = {{"id", std::stoll(rows[0][0])},
                             {"user", *user},
                             {"total_cents", total},
                             {"items", items}};
         if (invoices) {
           invoices->Put("invoices/" + rows[0][0] + ".json",
                         json{{"invoice_for_order", order["id"]},
                              {"customer", *user},
                              {"lines", items},
                              {"total_cents", total},
                              {"currency", "EUR"}}
                             .dump());
         }
         if (events) events->Publish(json{{"type", "order.created"}, {"order", order}}.dump());
         return HttpResponse::Json(201, order.dump());
       }});
  routes.push_back({"GET", "/orders/{id}", [pg](const HttpRequest& req) {
                      const auto id = IdParam(req.params.at("id"));
                      if (!id) return HttpResponse::Error(400, "order id must be a number");
                      const auto rows = pg->Exec(
                          "SELECT id, user_id, total_cents, items FROM shop_orders WHERE id = $1",
                          {std::to_string(*id)});
                      if (rows.empty())
                        return HttpResponse::Error(404, "no order " + req.params.at("id"));
                      const auto& r = rows[0];
                      return HttpResponse::Json(200, json{{"id", std::stoll(r[0])},
                                                          {"user", r[1]},
                                                          {"total_cents", std::stoll(r[2])},
                                                          {"items", json::parse(r[3])}}
                                                         .dump());
                    }});
  return routes;
}

}  // namespace pulse::demo::shop
