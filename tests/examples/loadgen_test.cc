// Every request the load generator plans hits a route the target service really serves.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "pulse/demo/route_matcher.h"
#include "scenarios.h"

namespace pulse::demo::loadgen {
namespace {

void CheckAllMatch(Service service, const std::vector<std::string>& templates) {
  RouteMatcher matcher(templates);
  std::mt19937_64 rng(3);
  std::set<std::size_t> seen;
  for (int i = 0; i < 5000; ++i) {
    const PlannedRequest r = NextRequest(service, "user-" + std::to_string(i % 97), rng);
    const std::string path = r.target.substr(0, r.target.find('?'));
    const auto m = matcher.Match(path);
    ASSERT_TRUE(m) << r.method << " " << r.target;
    seen.insert(m->route);
    if (r.method == "POST" || r.method == "PUT") {
      EXPECT_EQ(r.body.front(), '{') << r.target;
    }
  }
  EXPECT_EQ(seen.size(), templates.size()) << "some routes are never exercised";
}

TEST(LoadgenScenarios, ShopRequestsMatchShopRoutes) {
  CheckAllMatch(Service::kShop, {"/catalogue", "/catalogue/{sku}", "/cart/{user}",
                                 "/cart/{user}/items", "/orders", "/orders/{id}"});
}
TEST(LoadgenScenarios, CrmRequestsMatchCrmRoutes) {
  CheckAllMatch(Service::kCrm, {"/customers", "/customers/{id}", "/deals", "/deals/{id}/stage"});
}
TEST(LoadgenScenarios, MesRequestsMatchMesRoutes) {
  CheckAllMatch(Service::kMes, {"/machines/{id}/telemetry", "/work-orders", "/work-orders/{id}",
                                "/work-orders/{id}/status"});
}

// Reads and updates name only objects the services have created: before any create, no
// request carries an id; the largest id a successful create returned bounds later ones.
TEST(LoadgenScenarios, NamesOnlyObjectsThatExist) {
  const std::regex kIdPath("/(customers|deals|orders|work-orders)/[0-9]");
  for (Service service : {Service::kShop, Service::kCrm, Service::kMes}) {
    KnownObjects known;
    std::mt19937_64 rng(5);
    for (int i = 0; i < 2000; ++i) {
      const PlannedRequest r = NextRequest(service, "user-1", rng, known);
      EXPECT_FALSE(std::regex_search(r.target, kIdPath))
          << "an id before anything exists: " << r.method << " " << r.target;
      EXPECT_FALSE(r.not_found);
    }
    known.Record({"POST", "/customers", "{}", Creates::kCustomer}, 201, R"({"id":7,"x":1})");
    known.Record({"POST", "/work-orders", "{}", Creates::kWorkOrder}, 201, R"({"id":3})");
    known.Record({"POST", "/orders", "{}", Creates::kOrder}, 500, R"({"id":99})");  // not created
    EXPECT_EQ(known.MaxId(Creates::kCustomer), 7);
    EXPECT_EQ(known.MaxId(Creates::kWorkOrder), 3);
    EXPECT_EQ(known.MaxId(Creates::kOrder), 0);
  }
}

TEST(LoadgenScenarios, AnOrderTakesTheCartItsUserFilled) {
  KnownObjects known;
  EXPECT_FALSE(known.TakeCart("user-2"));
  known.Record({"POST", "/cart/user-2/items", "{}", Creates::kCartItem, "user-2"}, 201, "{}");
  EXPECT_TRUE(known.TakeCart("user-2"));
  EXPECT_FALSE(known.TakeCart("user-2"));  // an order empties it
}

TEST(LoadgenScenarios, DeliberateNotFoundRequestsComeAtTheirShare) {
  KnownObjects known(300);
  std::mt19937_64 rng(9);
  int not_found = 0;
  for (int i = 0; i < 20000; ++i) {
    if (NextRequest(Service::kCrm, "user-3", rng, known, 0.05).not_found) ++not_found;
  }
  EXPECT_NEAR(not_found / 20000.0, 0.05, 0.01);
}

TEST(LoadgenScenarios, RejectsUnknownServices) {
  EXPECT_THROW(ParseService("erp"), std::invalid_argument);
}

}  // namespace
}  // namespace pulse::demo::loadgen
