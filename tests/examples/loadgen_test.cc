// Every request the load generator plans hits a route the target service really serves.
#include <gtest/gtest.h>

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
TEST(LoadgenScenarios, RejectsUnknownServices) {
  EXPECT_THROW(ParseService("erp"), std::invalid_argument);
}

}  // namespace
}  // namespace pulse::demo::loadgen
