#include "scenarios.h"

#include <cstdio>
#include <stdexcept>

namespace pulse::demo::loadgen {
namespace {

constexpr int kMachines = 20;
constexpr int kProducts = 50;  // the shop seeds SKU-0001 … SKU-0050
// Far above any id a demo run creates, so a deliberate not-found id never exists.
constexpr long long kMissingIdBase = 900'000'000;

int Pick(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

long long PickId(std::mt19937_64& rng, long long max) {
  return std::uniform_int_distribution<long long>(1, max)(rng);
}

std::string Sku(int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "SKU-%04d", n);
  return buf;
}

std::string CartItem(std::mt19937_64& rng) {
  return "{\"sku\":\"" + Sku(Pick(rng, 1, kProducts)) +
         "\",\"quantity\":" + std::to_string(Pick(rng, 1, 3)) + "}";
}

PlannedRequest AddToCart(const std::string& user, std::mt19937_64& rng) {
  return {"POST", "/cart/" + user + "/items", CartItem(rng), Creates::kCartItem, user};
}

PlannedRequest Shop(const std::string& user, std::mt19937_64& rng, KnownObjects& known,
                    bool not_found) {
  if (not_found) {
    return {"GET", "/catalogue/" + Sku(9000 + Pick(rng, 0, 999)), "", Creates::kNothing, "", true};
  }
  const int roll = Pick(rng, 0, 99);
  if (roll < 40) return {"GET", "/catalogue", ""};
  if (roll < 60) return {"GET", "/catalogue/" + Sku(Pick(rng, 1, kProducts)), ""};
  if (roll < 75) return AddToCart(user, rng);
  if (roll < 85) return {"GET", "/cart/" + user, ""};
  if (roll < 93) {
    // An order needs a cart with items: a user whose cart is empty fills it first.
    if (!known.TakeCart(user)) return AddToCart(user, rng);
    return {"POST", "/orders", "{\"user\":\"" + user + "\"}", Creates::kOrder};
  }
  const long long orders = known.MaxId(Creates::kOrder);
  if (orders == 0) return {"GET", "/catalogue", ""};
  return {"GET", "/orders/" + std::to_string(PickId(rng, orders)), ""};
}

PlannedRequest NewCustomer(const std::string& user) {
  return {"POST", "/customers",
          "{\"name\":\"" + user + "\",\"email\":\"" + user + "@example.com\"}", Creates::kCustomer};
}

PlannedRequest Crm(const std::string& user, std::mt19937_64& rng, KnownObjects& known,
                   bool not_found) {
  if (not_found) {
    return {"GET", "/customers/" + std::to_string(kMissingIdBase + Pick(rng, 0, 999)),
            "",    Creates::kNothing,
            "",    true};
  }
  const long long customers = known.MaxId(Creates::kCustomer);
  const long long deals = known.MaxId(Creates::kDeal);
  const int roll = Pick(rng, 0, 99);
  if (roll < 30) return {"GET", "/customers", ""};
  if (roll < 55) {
    if (customers == 0) return NewCustomer(user);
    return {"GET", "/customers/" + std::to_string(PickId(rng, customers)), ""};
  }
  if (roll < 65) return NewCustomer(user);
  if (roll < 80) return {"GET", "/deals", ""};
  if (roll < 90 || deals == 0) {
    if (customers == 0) return NewCustomer(user);
    return {"POST", "/deals",
            "{\"customer_id\":" + std::to_string(PickId(rng, customers)) +
                ",\"title\":\"Deal\",\"amount\":" + std::to_string(Pick(rng, 100, 100000)) + "}",
            Creates::kDeal};
  }
  static const char* kStages[] = {"qualified", "proposal", "won", "lost"};
  return {"PUT", "/deals/" + std::to_string(PickId(rng, deals)) + "/stage",
          std::string("{\"stage\":\"") + kStages[Pick(rng, 0, 3)] + "\"}"};
}

PlannedRequest Telemetry(int machine, std::mt19937_64& rng) {
  return {"POST", "/machines/machine-" + std::to_string(machine) + "/telemetry",
          "{\"temperature\":" + std::to_string(Pick(rng, 40, 90)) +
              ",\"spindle_rpm\":" + std::to_string(Pick(rng, 800, 3000)) + "}",
          Creates::kTelemetry, std::to_string(machine)};
}

PlannedRequest NewWorkOrder(std::mt19937_64& rng) {
  return {"POST", "/work-orders",
          "{\"product\":\"part-" + std::to_string(Pick(rng, 1, 30)) +
              "\",\"quantity\":" + std::to_string(Pick(rng, 1, 500)) + "}",
          Creates::kWorkOrder};
}

PlannedRequest Mes(std::mt19937_64& rng, KnownObjects& known, bool not_found) {
  if (not_found) {
    return {"GET", "/work-orders/" + std::to_string(kMissingIdBase + Pick(rng, 0, 999)),
            "",    Creates::kNothing,
            "",    true};
  }
  const int roll = Pick(rng, 0, 99);
  const int machine = Pick(rng, 1, kMachines);
  const long long orders = known.MaxId(Creates::kWorkOrder);
  if (roll < 40) return Telemetry(machine, rng);
  if (roll < 60) {
    if (!known.HasTelemetry(machine)) return Telemetry(machine, rng);
    return {"GET", "/machines/machine-" + std::to_string(machine) + "/telemetry", ""};
  }
  if (roll < 70) return {"GET", "/work-orders?status=running", ""};
  if (roll < 80 || orders == 0) return NewWorkOrder(rng);
  if (roll < 95) return {"GET", "/work-orders/" + std::to_string(PickId(rng, orders)), ""};
  static const char* kStatuses[] = {"running", "done", "cancelled"};
  return {"PUT", "/work-orders/" + std::to_string(PickId(rng, orders)) + "/status",
          std::string("{\"status\":\"") + kStatuses[Pick(rng, 0, 2)] + "\"}"};
}

// The number after "id": in a JSON answer, 0 when there is none.
long long IdIn(const std::string& body) {
  const auto at = body.find("\"id\":");
  if (at == std::string::npos) return 0;
  long long id = 0;
  for (std::size_t i = at + 5; i < body.size() && body[i] >= '0' && body[i] <= '9'; ++i) {
    if (id > 100'000'000'000'000) return 0;
    id = id * 10 + (body[i] - '0');
  }
  return id;
}

}  // namespace

KnownObjects::KnownObjects(long long n)
    : customers_(n),
      deals_(n),
      orders_(n),
      work_orders_(n),
      machines_(~std::uint32_t{0}),
      all_carts_(true) {}

void KnownObjects::Record(const PlannedRequest& request, int status, const std::string& body) {
  if (status != 201 || request.creates == Creates::kNothing) return;
  std::lock_guard<std::mutex> lock(mu_);
  switch (request.creates) {
    case Creates::kCartItem:
      carts_.insert(request.subject);
      return;
    case Creates::kTelemetry: {
      const int m = std::stoi(request.subject);
      if (m >= 1 && m <= kMachines) machines_ |= std::uint32_t{1} << m;
      return;
    }
    default:
      break;
  }
  const long long id = IdIn(body);
  long long* max = request.creates == Creates::kCustomer ? &customers_
                   : request.creates == Creates::kDeal   ? &deals_
                   : request.creates == Creates::kOrder  ? &orders_
                                                         : &work_orders_;
  if (id > *max) *max = id;
}

long long KnownObjects::MaxId(Creates kind) const {
  std::lock_guard<std::mutex> lock(mu_);
  switch (kind) {
    case Creates::kCustomer:
      return customers_;
    case Creates::kDeal:
      return deals_;
    case Creates::kOrder:
      return orders_;
    case Creates::kWorkOrder:
      return work_orders_;
    default:
      return 0;
  }
}

bool KnownObjects::HasTelemetry(int machine) const {
  std::lock_guard<std::mutex> lock(mu_);
  return machine >= 1 && machine <= kMachines && (machines_ >> machine & 1u) != 0;
}

bool KnownObjects::TakeCart(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  return all_carts_ || carts_.erase(user) > 0;
}

Service ParseService(const std::string& name) {
  if (name == "shop") return Service::kShop;
  if (name == "crm") return Service::kCrm;
  if (name == "mes") return Service::kMes;
  throw std::invalid_argument("unknown service \"" + name + "\" (shop, crm or mes)");
}

PlannedRequest NextRequest(Service service, const std::string& user, std::mt19937_64& rng,
                           KnownObjects& known, double not_found_share) {
  const bool not_found =
      not_found_share > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < not_found_share;
  switch (service) {
    case Service::kShop:
      return Shop(user, rng, known, not_found);
    case Service::kCrm:
      return Crm(user, rng, known, not_found);
    case Service::kMes:
      return Mes(rng, known, not_found);
  }
  return {"GET", "/", ""};
}

PlannedRequest NextRequest(Service service, const std::string& user, std::mt19937_64& rng) {
  static KnownObjects everything(300);
  return NextRequest(service, user, rng, everything);
}

}  // namespace pulse::demo::loadgen
