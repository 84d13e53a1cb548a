// What the load generator sends: a realistic mix of requests per demo service, for one user.
// Pure apart from KnownObjects' lock (the random engine is passed in), so tests check every
// generated request against the service's route templates.
//
// Reads and updates ask only for objects that exist (KnownObjects, filled from the services'
// answers), so the services answer them 200: a 404 or 409 in the demo is either one of the
// deliberate not-found requests (`not_found_share`, stated in pulse-demo-loadgen --help) or a
// bug. A request that needs an object nobody has created yet becomes the create instead.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <utility>

namespace pulse::demo::loadgen {

// What a request creates when it succeeds (201), so later requests can refer to it.
enum class Creates { kNothing, kCustomer, kDeal, kOrder, kWorkOrder, kCartItem, kTelemetry };

struct PlannedRequest {
  PlannedRequest(std::string m, std::string t, std::string b = "", Creates c = Creates::kNothing,
                 std::string s = "", bool nf = false)
      : method(std::move(m)),
        target(std::move(t)),
        body(std::move(b)),
        creates(c),
        subject(std::move(s)),
        not_found(nf) {}

  std::string method;
  std::string target;  // path and query
  std::string body;
  Creates creates = Creates::kNothing;
  std::string subject;     // the user of a cart item, the machine of a telemetry reading
  bool not_found = false;  // deliberately asks for something that does not exist
};

enum class Service { kShop, kCrm, kMes };

// Throws std::invalid_argument naming the value for anything but "shop", "crm", "mes".
Service ParseService(const std::string& name);

// The objects that exist on the demo services, learnt from their 201 answers. The services
// hand out ids 1, 2, 3, … in order (a Redis INCR, a PostgreSQL sequence), so the largest id
// seen bounds the ids that exist. Thread-safe.
class KnownObjects {
 public:
  KnownObjects() = default;
  // As if `n` customers, deals, orders and work orders existed, every user had a cart and
  // every machine telemetry: what the route checks use.
  explicit KnownObjects(long long n);

  // Records a successful create; `body` is the service's JSON answer (the id is read from
  // "id"). Answers without an id are ignored.
  void Record(const PlannedRequest& request, int status, const std::string& body);

  long long MaxId(Creates kind) const;
  bool HasTelemetry(int machine) const;
  // True when `user` has items in the cart; the cart is then counted as taken by an order.
  bool TakeCart(const std::string& user);

 private:
  mutable std::mutex mu_;
  long long customers_ = 0, deals_ = 0, orders_ = 0, work_orders_ = 0;
  std::uint32_t machines_ = 0;  // bit m set once machine-m (1..20) has telemetry
  bool all_carts_ = false;
  std::set<std::string> carts_;
};

// `not_found_share` (0..1): share of requests that deliberately ask for an id, SKU or machine
// that does not exist, so 4xx answers show in the dashboards without being counted as errors.
PlannedRequest NextRequest(Service service, const std::string& user, std::mt19937_64& rng,
                           KnownObjects& known, double not_found_share = 0.0);

// The same against KnownObjects(300): every route reachable, for route checks.
PlannedRequest NextRequest(Service service, const std::string& user, std::mt19937_64& rng);

}  // namespace pulse::demo::loadgen
