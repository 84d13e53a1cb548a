// The demo CRM: customers and deals, stored in Redis.
//   GET /customers   POST /customers {"name","email"}   GET /customers/{id}
//   GET /deals       POST /deals {"customer_id","title","amount"}   GET /deals/{id}
//   PUT /deals/{id}/stage {"stage": lead|qualified|proposal|won|lost}
#pragma once

#include <memory>
#include <vector>

#include "pulse/demo/service_main.h"

namespace pulse::demo::crm {

std::vector<Route> MakeRoutes(std::shared_ptr<RedisPool> redis);

}  // namespace pulse::demo::crm
