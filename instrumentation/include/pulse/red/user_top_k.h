// Requests per user without an unbounded `user` label: per-shard Space-Saving summaries, merged
// into one exported top-K when Prometheus scrapes (docs/instrumentation.md, "Requests per user").
//
// Why sharded: a single summary behind one lock serialised every request of a multi-threaded
// server (two threads recording reached a quarter of one thread's throughput). A record now
// updates the summary of the shard of the CPU it runs on (CurrentShard, like ShardedHistogram),
// so concurrent recorders touch different cache lines.
//
// Thread-safe: Record and Take may be called from any thread, concurrently. Record takes its
// shard's spin lock, which in the common case only its CPU and, once per scrape, Take touch:
// uncontended, and its cache line stays with that core (it is contended only when a thread is
// preempted or migrated while holding it, or when CPUs outnumber the 16 shards). Take locks each
// shard just long enough to copy its K entries, then merges outside the shard locks; concurrent
// Takes serialise on a mutex of their own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::red {

inline constexpr std::string_view kOtherUser = "__other__";
inline constexpr std::string_view kAnonymousUser = "__anonymous__";
inline constexpr std::size_t kMaxUserBytes = 128;

// What a raw user id is tracked as: empty → "__anonymous__"; longer than kMaxUserBytes →
// truncated; bytes that do not form valid UTF-8 → '?'. Returns `raw` itself when it needs no
// change (the common case, no copy), else a view of `scratch`. Pure, thread-safe.
std::string_view NormalizeUser(std::string_view raw, std::string& scratch);

class UserTopK {
 public:
  // capacity = K: the number of users exported (and tracked per shard). shards = number of
  // per-CPU summaries, a power of two ≤ kMaxShards; 0 means DefaultShards(). Throws
  // std::invalid_argument if capacity is 0 or too large, or shards is not a power of two ≤ 16.
  // A shard's summary is allocated on the first Record that lands in it.
  explicit UserTopK(std::size_t capacity, unsigned shards = 0);
  ~UserTopK();
  UserTopK(const UserTopK&) = delete;
  UserTopK& operator=(const UserTopK&) = delete;

  // Counts one request of `user` (normalised as above). A user literally named "__other__" is
  // counted under __other__ and never tracked, so the exported label stays unique.
  void Record(std::string_view user);

  // Same, and calls `also(context, shard)` while holding the calling thread's shard lock, with
  // `shard` that shard's index (< shards()). Every caller whose thread maps to the shard holds
  // the same lock, so `also` may update per-shard data with plain (non-locked) stores:
  // HttpRedRecorder updates its histogram's shard this way, so a request costs one uncontended
  // lock instead of a lock plus two locked atomic adds. `also` must be short and must not call
  // back into this object.
  using UnderShardLock = void (*)(void* context, unsigned shard) noexcept;
  void Record(std::string_view user, UnderShardLock also, void* context);

  static constexpr unsigned kMaxShards = 16;
  // The histogram's default, DefaultShardCount(): one shard per CPU (next power of two ≥
  // hardware threads, ≤ 16), since records go to the shard of the CPU they run on.
  static unsigned DefaultShards() noexcept;

  // The exported view, as of this call. Every call merges what the shards counted since the
  // previous call into the exported table, so values are monotonic from one Take to the next.
  struct Snapshot {
    struct User {
      std::string user;
      // Requests of this user counted since it was (last) admitted to the exported table; grows
      // by exactly the user's requests while it stays tracked in the table and in its shards.
      std::uint64_t requests = 0;
      // The exported table's Space-Saving count (≥ requests): the ranking key.
      std::uint64_t estimate = 0;
    };
    std::vector<User> users;      // at most K, highest estimate first
    std::uint64_t other = 0;      // every request not in `users[*].requests`; never decreases
    std::uint64_t total = 0;      // all requests recorded before this Take; = Σ requests + other
    std::uint64_t evictions = 0;  // users replaced in the exported table (series churn)
    std::size_t memory_bytes = 0;
  };
  Snapshot Take() const;

  std::size_t capacity() const noexcept;
  unsigned shards() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pulse::red
