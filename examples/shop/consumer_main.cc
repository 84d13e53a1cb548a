// pulse demo shop order consumer: takes order events from shop.orders and dead-letters a share
// of them (reject without requeue → shop.dlx → shop.orders.dlq), so the DLQ metric is real.
//   --rabbitmq-url URL  --rabbitmq-user U  --rabbitmq-password P
//   --reject-rate R (0..1, default 0.1)  --interval-ms N (pause when the queue is empty, 200)
//   --max-messages N (stop after N, default unlimited)
#include <signal.h>

#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include "pulse/demo/flags.h"
#include "rabbitmq_management.h"

namespace {
volatile sig_atomic_t g_stop = 0;
extern "C" void OnSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  try {
    const pulse::demo::Flags flags(argc, argv,
                                   {"rabbitmq-url", "rabbitmq-user", "rabbitmq-password",
                                    "reject-rate", "interval-ms", "max-messages"});
    const double reject_rate = flags.GetDouble("reject-rate", 0.1);
    if (reject_rate < 0 || reject_rate > 1) throw std::invalid_argument("--reject-rate: 0..1");
    pulse::demo::shop::RabbitMqManagement mq(flags.Get("rabbitmq-url", "http://127.0.0.1:15672"),
                                             flags.Get("rabbitmq-user", "guest"),
                                             flags.Get("rabbitmq-password", "guest"));
    mq.DeclareTopology();
    const long long max = flags.GetInt("max-messages", -1);
    const auto idle = std::chrono::milliseconds(flags.GetInt("interval-ms", 200));
    signal(SIGINT, OnSignal);
    signal(SIGTERM, OnSignal);
    std::mt19937_64 rng(std::random_device{}());
    long long taken = 0, rejected = 0;
    while (!g_stop && (max < 0 || taken < max)) {
      const bool reject = std::uniform_real_distribution<double>(0, 1)(rng) < reject_rate;
      if (mq.TakeOne(pulse::demo::shop::kOrdersQueue, reject)) {
        ++taken;
        rejected += reject;
      } else {
        std::this_thread::sleep_for(idle);
      }
    }
    std::cerr << "shop-order-consumer: took " << taken << ", dead-lettered " << rejected << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "shop-order-consumer: " << e.what() << std::endl;
    return 2;
  }
}
