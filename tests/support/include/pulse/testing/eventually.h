// Waiting for a state instead of sleeping for a time: tests poll the observable end state under a
// generous deadline, so they pass as soon as the system gets there and fail with a clear message
// (not a flaky count) when it never does. Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <functional>

namespace pulse::testing {

// Calls `predicate` every `poll` until it returns true (→ true) or `deadline` has passed
// (→ false, after one last call at the deadline, so a slow final step still counts).
bool Eventually(const std::function<bool()>& predicate,
                std::chrono::milliseconds deadline = std::chrono::seconds(30),
                std::chrono::milliseconds poll = std::chrono::milliseconds(50));

}  // namespace pulse::testing
