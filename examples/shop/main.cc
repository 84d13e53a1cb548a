// pulse demo shop: see shop_service.h for the routes, service_main.h for the flags.
#include "pulse/demo/service_main.h"
#include "rabbitmq_management.h"
#include "shop_service.h"

int main(int argc, char** argv) {
  pulse::demo::ServiceDefinition def;
  def.name = "shop";
  def.needs_pg = true;
  def.make_routes = [](pulse::demo::ServiceDeps& deps) {
    std::shared_ptr<pulse::demo::shop::OrderEvents> events;
    if (deps.flags->Has("rabbitmq-url")) {
      auto mq = std::make_shared<pulse::demo::shop::RabbitMqManagement>(
          deps.flags->Get("rabbitmq-url"), deps.flags->Get("rabbitmq-user", "guest"),
          deps.flags->Get("rabbitmq-password", "guest"));
      mq->DeclareTopology();
      events = mq;
    }
    return pulse::demo::shop::MakeRoutes(deps.redis, deps.pg, events);
  };
  return pulse::demo::RunService(argc, argv, def);
}
