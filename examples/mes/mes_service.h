// The demo MES: work orders (PostgreSQL, cached in Redis) and machine telemetry (PostgreSQL
// history, latest reading in Redis).
//   GET /work-orders[?status=S]   POST /work-orders {"product","quantity"}   GET /work-orders/{id}
//   PUT /work-orders/{id}/status {"status": planned|running|done|cancelled}
//   POST /machines/{id}/telemetry {"temperature","spindle_rpm"}   GET /machines/{id}/telemetry
#pragma once

#include <memory>
#include <vector>

#include "pulse/demo/service_main.h"

namespace pulse::demo::mes {

std::vector<Route> MakeRoutes(std::shared_ptr<RedisPool> redis, std::shared_ptr<PgPool> pg);

}  // namespace pulse::demo::mes
