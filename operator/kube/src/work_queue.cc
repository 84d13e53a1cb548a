#include "pulse/kube/work_queue.h"

namespace pulse::kube {

WorkQueue::WorkQueue(WorkQueueOptions options, base::Clock& clock)
    : clock_(clock), limiter_(options.base_delay, options.max_delay) {
  // A fake clock jumps: wake sleeping workers so they re-check which delays are now due.
  on_clock_advance_ = clock_.OnAdvance([this] {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  });
}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_) return;
  if (!dirty_.insert(key).second) return;   // already queued (or pending re-queue)
  if (processing_.count(key) != 0) return;  // re-queued by Done()
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::MoveDueLocked(TimePoint now) {
  while (!waiting_.empty() && waiting_.begin()->first <= now) {
    std::string key = waiting_.begin()->second;
    waiting_.erase(waiting_.begin());
    waiting_at_.erase(key);
    AddLocked(key);
  }
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  AddAfterLocked(key, delay);
}

void WorkQueue::AddAfterLocked(const std::string& key, std::chrono::milliseconds delay) {
  if (shutting_down_) return;
  if (delay.count() <= 0) {
    AddLocked(key);
    return;
  }
  const TimePoint at = clock_.Now() + delay;
  auto it = waiting_at_.find(key);
  if (it != waiting_at_.end()) {
    if (it->second <= at) return;
    // Replace the later entry with the earlier time.
    auto range = waiting_.equal_range(it->second);
    for (auto w = range.first; w != range.second; ++w) {
      if (w->second == key) {
        waiting_.erase(w);
        break;
      }
    }
  }
  waiting_.emplace(at, key);
  waiting_at_[key] = at;
  cv_.notify_all();  // a sleeping worker may need to wake earlier
}

// The backoff step and the wait it starts happen under one lock, and NumRequeues reads under it
// too: whoever sees the new count also sees the key waiting, from the clock time it was added
// at (a FakeClock advanced in between would otherwise push the wake-up out of reach).
void WorkQueue::AddRateLimited(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  AddAfterLocked(key, limiter_.When(key));
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  limiter_.Forget(key);
}

int WorkQueue::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  return limiter_.NumRequeues(key);
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    MoveDueLocked(clock_.Now());
    if (!queue_.empty()) break;
    if (shutting_down_) return std::nullopt;
    if (waiting_.empty()) {
      cv_.wait(lock);
    } else {
      // A relative wait on the clock's own time: right for the real clock, and a fake clock
      // wakes us through OnAdvance when it jumps.
      cv_.wait_for(lock, waiting_.begin()->first - clock_.Now());
    }
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key) != 0) {
    queue_.push_back(key);
    cv_.notify_one();
  }
  if (processing_.empty()) drained_.notify_all();
  if (shutting_down_) cv_.notify_all();
}

void WorkQueue::ShutDownLocked(bool discard_queued) {
  shutting_down_ = true;
  if (discard_queued) {
    queue_.clear();
    dirty_.clear();
  }
  waiting_.clear();
  waiting_at_.clear();
  cv_.notify_all();
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  ShutDownLocked(false);
}

void WorkQueue::ShutDownWithDrain() {
  std::unique_lock<std::mutex> lock(mu_);
  ShutDownLocked(false);
  drained_.wait(lock, [this] { return processing_.empty() && queue_.empty(); });
}

void WorkQueue::ShutDownAndDiscard() {
  std::unique_lock<std::mutex> lock(mu_);
  ShutDownLocked(true);
  drained_.wait(lock, [this] { return processing_.empty(); });
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> lock(mu_);
  // Delayed keys move to the queue lazily (in Get); count the due ones that would be queued.
  size_t due = 0;
  const TimePoint now = clock_.Now();
  for (auto it = waiting_.begin(); it != waiting_.end() && it->first <= now; ++it) {
    if (dirty_.count(it->second) == 0 && processing_.count(it->second) == 0) ++due;
  }
  return queue_.size() + due;
}

}  // namespace pulse::kube
