#include "pulse/exporter/target_runner.h"

#include <malloc.h>

#include "pulse/base/log.h"

namespace pulse::exporter {

TargetRunner::TargetRunner(std::string name, TargetType type, Duration interval,
                           std::unique_ptr<Target> target)
    : name_(std::move(name)),
      type_(TargetTypeName(type)),
      interval_(interval),
      target_(std::move(target)) {
  status_.name = name_;
  status_.type = type_;
  status_.rendered = std::make_shared<const RenderedFamilies>();
  for (const char* r : {reason::kConnect, reason::kTimeout, reason::kAuth, reason::kHttp,
                        reason::kParse, reason::kQuery, reason::kCredentials, reason::kInternal}) {
    status_.errors[r] = 0;
  }
}

TargetRunner::~TargetRunner() { Stop(); }

void TargetRunner::Start() {
  thread_ = std::jthread([this](const std::stop_token& stop) { Loop(stop); });
}

void TargetRunner::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
  }
}

void TargetRunner::RefreshNow() { RefreshOnce(std::stop_token{}); }

void TargetRunner::Loop(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    const auto next = std::chrono::steady_clock::now() + interval_;
    RefreshOnce(stop);
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, stop, next, [] { return false; });
  }
}

void TargetRunner::RefreshOnce(const std::stop_token& stop) {
  const auto started = std::chrono::steady_clock::now();
  RefreshResult result;
  try {
    result = target_->Refresh(stop);
  } catch (const std::exception& e) {
    // Targets report failures as results; an exception here is a bug, but it must not take the
    // refresh thread (and the process) down.
    result =
        RefreshResult::Failure(reason::kInternal, std::string("unexpected error: ") + e.what());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::shared_ptr<const RenderedFamilies> rendered;
  if (result.ok) {
    // Render outside the lock: scrapes only copy a pointer and concatenate text.
    rendered = std::make_shared<const RenderedFamilies>(RenderFamilies(result.metrics, name_));
  }
  bool was_up = false;
  std::string previous_error;
  {
    std::lock_guard lock(mutex_);
    was_up = status_.up;
    previous_error = status_.last_error;
    status_.refreshes++;
    status_.last_duration_seconds = seconds;
    status_.up = result.ok;
    if (result.ok) {
      status_.rendered = std::move(rendered);
      status_.last_success = std::chrono::system_clock::now();
      status_.last_error.clear();
    } else {
      status_.errors[result.reason]++;
      status_.last_error = result.message;
    }
  }
  // A refresh parses whole API responses (megabytes for thousands of queues) and frees them;
  // hand that memory back to the OS instead of keeping it resident until the next refresh.
  malloc_trim(0);
  // Log transitions only, so a dead target does not flood the log.
  if (result.ok && (!was_up || status_.refreshes == 1)) {
    base::LogInfo("target is up", {{"target", name_}, {"type", type_}});
  } else if (!result.ok && (was_up || previous_error != result.message)) {
    base::LogWarn(
        "target refresh failed",
        {{"target", name_}, {"type", type_}, {"reason", result.reason}, {"error", result.message}});
  }
}

TargetStatus TargetRunner::Snapshot() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace pulse::exporter
