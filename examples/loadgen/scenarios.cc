#include "scenarios.h"

#include <stdexcept>

namespace pulse::demo::loadgen {
namespace {

int Pick(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

std::string Sku(std::mt19937_64& rng) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "SKU-%04d", Pick(rng, 1, 50));
  return buf;
}

PlannedRequest Shop(const std::string& user, std::mt19937_64& rng) {
  const int roll = Pick(rng, 0, 99);
  if (roll < 40) return {"GET", "/catalogue", ""};
  if (roll < 60) return {"GET", "/catalogue/" + Sku(rng), ""};
  if (roll < 75) {
    return {"POST", "/cart/" + user + "/items",
            "{\"sku\":\"" + Sku(rng) + "\",\"quantity\":" + std::to_string(Pick(rng, 1, 3)) + "}"};
  }
  if (roll < 85) return {"GET", "/cart/" + user, ""};
  if (roll < 93) return {"POST", "/orders", "{\"user\":\"" + user + "\"}"};
  return {"GET", "/orders/" + std::to_string(Pick(rng, 1, 500)), ""};
}

PlannedRequest Crm(const std::string& user, std::mt19937_64& rng) {
  const int roll = Pick(rng, 0, 99);
  if (roll < 30) return {"GET", "/customers", ""};
  if (roll < 55) return {"GET", "/customers/" + std::to_string(Pick(rng, 1, 300)), ""};
  if (roll < 65) {
    return {"POST", "/customers",
            "{\"name\":\"" + user + "\",\"email\":\"" + user + "@example.com\"}"};
  }
  if (roll < 80) return {"GET", "/deals", ""};
  if (roll < 90) {
    return {"POST", "/deals",
            "{\"customer_id\":" + std::to_string(Pick(rng, 1, 300)) +
                ",\"title\":\"Deal\",\"amount\":" + std::to_string(Pick(rng, 100, 100000)) + "}"};
  }
  static const char* kStages[] = {"qualified", "proposal", "won", "lost"};
  return {"PUT", "/deals/" + std::to_string(Pick(rng, 1, 200)) + "/stage",
          std::string("{\"stage\":\"") + kStages[Pick(rng, 0, 3)] + "\"}"};
}

PlannedRequest Mes(std::mt19937_64& rng) {
  const int roll = Pick(rng, 0, 99);
  const std::string machine = "machine-" + std::to_string(Pick(rng, 1, 20));
  if (roll < 40) {
    return {"POST", "/machines/" + machine + "/telemetry",
            "{\"temperature\":" + std::to_string(Pick(rng, 40, 90)) +
                ",\"spindle_rpm\":" + std::to_string(Pick(rng, 800, 3000)) + "}"};
  }
  if (roll < 60) return {"GET", "/machines/" + machine + "/telemetry", ""};
  if (roll < 70) return {"GET", "/work-orders?status=running", ""};
  if (roll < 80) {
    return {"POST", "/work-orders",
            "{\"product\":\"part-" + std::to_string(Pick(rng, 1, 30)) +
                "\",\"quantity\":" + std::to_string(Pick(rng, 1, 500)) + "}"};
  }
  if (roll < 95) return {"GET", "/work-orders/" + std::to_string(Pick(rng, 1, 300)), ""};
  static const char* kStatuses[] = {"running", "done", "cancelled"};
  return {"PUT", "/work-orders/" + std::to_string(Pick(rng, 1, 300)) + "/status",
          std::string("{\"status\":\"") + kStatuses[Pick(rng, 0, 2)] + "\"}"};
}

}  // namespace

Service ParseService(const std::string& name) {
  if (name == "shop") return Service::kShop;
  if (name == "crm") return Service::kCrm;
  if (name == "mes") return Service::kMes;
  throw std::invalid_argument("unknown service \"" + name + "\" (shop, crm or mes)");
}

PlannedRequest NextRequest(Service service, const std::string& user, std::mt19937_64& rng) {
  switch (service) {
    case Service::kShop:
      return Shop(user, rng);
    case Service::kCrm:
      return Crm(user, rng);
    case Service::kMes:
      return Mes(rng);
  }
  return {"GET", "/", ""};
}

}  // namespace pulse::demo::loadgen
