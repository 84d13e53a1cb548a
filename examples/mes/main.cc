// pulse demo MES: see mes_service.h for the routes, service_main.h for the flags.
#include "mes_service.h"

int main(int argc, char** argv) {
  pulse::demo::ServiceDefinition def;
  def.name = "mes";
  def.needs_pg = true;
  def.make_routes = [](pulse::demo::ServiceDeps& deps) {
    return pulse::demo::mes::MakeRoutes(deps.redis, deps.pg);
  };
  return pulse::demo::RunService(argc, argv, def);
}
