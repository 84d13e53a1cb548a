#include "pulse/testing/eventually.h"

#include <thread>

namespace pulse::testing {

bool Eventually(const std::function<bool()>& predicate, std::chrono::milliseconds deadline,
                std::chrono::milliseconds poll) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (predicate()) return true;
    std::this_thread::sleep_for(poll);
  }
  return predicate();
}

}  // namespace pulse::testing
