// pulse demo CRM: see crm_service.h for the routes, service_main.h for the flags.
#include "crm_service.h"

int main(int argc, char** argv) {
  pulse::demo::ServiceDefinition def;
  def.name = "crm";
  def.make_routes = [](pulse::demo::ServiceDeps& deps) {
    return pulse::demo::crm::MakeRoutes(deps.redis);
  };
  return pulse::demo::RunService(argc, argv, def);
}
