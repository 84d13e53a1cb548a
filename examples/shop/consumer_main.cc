// pulse demo shop order consumer: consumes order events from shop.orders over AMQP with manual
// acknowledgements, holding some unacknowledged and dead-lettering some (ConsumerPolicy), so
// seed metrics 1 (DLQ messages) and 2 (in-flight messages) are real.
//   --amqp-url URL   amqp://user:password@host:port/ (default amqp://guest:guest@127.0.0.1:5672/);
//                    the shop's topology is declared first (idempotent)
//   --hold N (default 5)  --reject-every K (default 10, 0 = never)  --max-messages N
#include <signal.h>

#include <iostream>

#include "consumer_policy.h"
#include "order_events.h"
#include "pulse/demo/amqp_connection.h"
#include "pulse/demo/flags.h"

namespace {
volatile sig_atomic_t g_stop = 0;
extern "C" void OnSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  using pulse::demo::Flags;
  namespace amqp = pulse::demo::amqp;
  namespace shop = pulse::demo::shop;
  try {
    const Flags flags(argc, argv, {"amqp-url", "hold", "reject-every", "max-messages"});
    const amqp::ConnectionOptions options =
        amqp::ParseUrl(flags.Get("amqp-url", "amqp://guest:guest@127.0.0.1:5672/"));
    shop::ConsumerPolicy policy;
    const long long hold = flags.GetInt("hold", 5), reject_every = flags.GetInt("reject-every", 10);
    if (hold < 0 || hold > 10000 || reject_every < 0) {
      throw std::invalid_argument("--hold must be 0..10000 and --reject-every >= 0");
    }
    policy.hold = static_cast<std::uint64_t>(hold);
    policy.reject_every = static_cast<std::uint64_t>(reject_every);
    amqp::Connection connection(options);
    shop::DeclareTopology(connection);
    // Prefetch must exceed the held count, or the broker stops delivering once they are held.
    connection.Consume(shop::kOrdersQueue, static_cast<std::uint16_t>(policy.hold + 50));
    signal(SIGINT, OnSignal);
    signal(SIGTERM, OnSignal);
    const long long max = flags.GetInt("max-messages", -1);
    std::uint64_t n = 0, held = 0, rejected = 0, acked = 0;
    while (!g_stop && (max < 0 || static_cast<long long>(n) < max)) {
      const auto d = connection.Next(std::chrono::milliseconds(500));
      if (!d) continue;
      switch (policy.Decide(++n)) {
        case shop::DeliveryAction::kHold:
          ++held;
          break;
        case shop::DeliveryAction::kReject:
          connection.Reject(d->delivery_tag, /*requeue=*/false);  // → shop.dlx → shop.orders.dlq
          ++rejected;
          break;
        case shop::DeliveryAction::kAck:
          connection.Ack(d->delivery_tag);
          ++acked;
          break;
      }
    }
    std::cerr << "shop-order-consumer: " << n << " deliveries: " << held << " held, " << rejected
              << " dead-lettered, " << acked << " acknowledged\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "shop-order-consumer: " << e.what() << std::endl;
    return 2;
  }
}
