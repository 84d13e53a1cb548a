// What the load generator sends: a realistic mix of requests per demo service, for one user.
// Pure (the random engine is passed in), so tests check every generated request against the
// service's route templates.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace pulse::demo::loadgen {

struct PlannedRequest {
  std::string method;
  std::string target;  // path and query
  std::string body;
};

enum class Service { kShop, kCrm, kMes };

// Throws std::invalid_argument naming the value for anything but "shop", "crm", "mes".
Service ParseService(const std::string& name);

PlannedRequest NextRequest(Service service, const std::string& user, std::mt19937_64& rng);

}  // namespace pulse::demo::loadgen
