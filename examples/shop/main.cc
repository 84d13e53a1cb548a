// pulse demo shop: see shop_service.h for the routes, service_main.h for the flags.
#include "order_events.h"
#include "pulse/demo/service_main.h"
#include "s3_invoices.h"
#include "shop_service.h"

int main(int argc, char** argv) {
  pulse::demo::ServiceDefinition def;
  def.name = "shop";
  def.needs_pg = true;
  def.make_routes = [](pulse::demo::ServiceDeps& deps) {
    std::shared_ptr<pulse::demo::shop::OrderEvents> events;
    if (deps.flags->Has("amqp-url")) {
      auto mq = std::make_shared<pulse::demo::shop::AmqpOrderEvents>(
          pulse::demo::amqp::ParseUrl(deps.flags->Get("amqp-url")));
      mq->DeclareTopology();  // fail at start, not on the first order, if RabbitMQ is unusable
      events = mq;
    }
    std::shared_ptr<pulse::demo::shop::Invoices> invoices;
    if (deps.flags->Has("s3-endpoint")) {
      pulse::demo::s3::S3Options o;
      o.endpoint = deps.flags->Get("s3-endpoint");
      o.bucket = deps.flags->Get("s3-bucket", "shop-invoices");
      o.access_key = deps.flags->Get("s3-access-key");
      o.secret_key = deps.flags->Get("s3-secret-key");
      o.region = deps.flags->Get("s3-region", "us-east-1");
      auto s3 = std::make_shared<pulse::demo::s3::S3Invoices>(o);
      s3->EnsureBucket();
      invoices = s3;
    }
    return pulse::demo::shop::MakeRoutes(deps.redis, deps.pg, events, invoices);
  };
  return pulse::demo::RunService(argc, argv, def);
}
