// Space-Saving heavy hitters (Metwally, Agrawal, El Abbadi 2005) with per-entry exact counters.
//
// Tracks at most `capacity` keys in O(capacity) memory whatever the number of distinct keys.
// Each tracked entry keeps
//   estimate = the Space-Saving count (an over-estimate of the key's true count: true ≤ estimate),
//   error    = the count inherited from the entry it replaced (estimate - error ≤ true),
//   exact    = estimate - error = requests seen for this key since it was (last) admitted.
// Guarantees (N = all increments so far, K = capacity):
//   - every key whose true count exceeds N/K is tracked;
//   - for a tracked key, true - N/K ≤ exact ≤ true, and exact grows by exactly 1 per increment
//     while the key stays tracked.
// `untracked_total()` is N minus the sum of the tracked entries' exact counts: the increments that
// no tracked entry accounts for. It never decreases (an eviction moves the evicted entry's exact
// count into it), which is what makes it a valid Prometheus counter (`user="__other__"`).
//
// Every admission (a key taking a free or evicted slot) gets an id unique within the instance, so
// a reader comparing two copies of the entries can tell "same key, same admission" (its exact
// count only grew) from "evicted and re-admitted in between" (the count restarted).
//
// Not thread-safe: callers serialise access (UserTopK gives each shard its own instance and lock).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pulse/red/key_hash.h"

namespace pulse::red {

class SpaceSaving {
 public:
  // Throws std::invalid_argument when capacity is 0 or above kMaxCapacity.
  explicit SpaceSaving(std::size_t capacity);

  static constexpr std::size_t kMaxCapacity = 1 << 20;

  // Counts one occurrence of `key`. Allocation-free once every entry's string has grown to the
  // longest key it held (keys ≤ kShortKey = 40 bytes never allocate).
  void Increment(std::string_view key) { Increment(key, Hash(key)); }
  // Same, with the key's Hash() computed beforehand (e.g. outside a lock).
  void Increment(std::string_view key, std::uint64_t hash);
  // The hash this instance uses for `key` (seeded per instance). Thread-safe.
  std::uint64_t Hash(std::string_view key) const noexcept { return internal::HashKey(key, seed_); }
  // Counts one occurrence that must never be tracked (it only adds to untracked_total()).
  void IncrementUntracked() noexcept {
    ++total_;
    ++untracked_;
  }

  struct Entry {
    std::string key;
    std::uint64_t estimate = 0;
    std::uint64_t error = 0;
    std::uint64_t admission = 0;  // id of the admission that put `key` in this slot (≥ 1)
    std::uint64_t exact() const noexcept { return estimate - error; }
  };
  // Tracked entries, highest estimate first (ties by key, so output is deterministic); with
  // sorted = false in no particular order (cheaper, e.g. to copy under a lock and sort outside).
  std::vector<Entry> Entries(bool sorted = true) const;
  // Entries in slot order (index i is always slot i; slots are never removed), into `out`, reusing
  // its elements' string buffers: allocation-free once `out` has held every key's length. For
  // copying under a lock.
  void CopyEntries(std::vector<Entry>& out) const;
  // Sorts entries the way Entries() does.
  static void SortEntries(std::vector<Entry>& entries);

  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t size() const noexcept { return entries_.size(); }
  std::uint64_t total() const noexcept { return total_; }
  std::uint64_t untracked_total() const noexcept { return untracked_; }
  std::uint64_t evictions() const noexcept { return evictions_; }
  // Bytes held by this structure (entries, order, groups, hash index, keys): bounded by capacity.
  std::size_t MemoryBytes() const noexcept;

 private:
  // Stream-Summary layout, so every operation is O(1): slots ordered by estimate, highest first,
  // in `order_`; runs of equal estimate form a Group [first, last]. An increment swaps the slot to
  // the front of its group and moves it into the neighbouring group (or a new one), so no walk
  // over the entries is ever needed — an eviction is an increment of the last slot.
  // Keys up to kShortKey bytes (user ids, UUIDs) live in the slot itself and are copied and
  // compared with a few fixed-size loads; std::string's generic assign and a memcmp call were a
  // seventh of an eviction's instructions. Longer keys fall back to `long_key`.
  static constexpr std::uint32_t kShortKey = 40;
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t error = 0;
    std::uint64_t admission = 0;
    std::uint32_t pos = 0;    // index in order_
    std::uint32_t group = 0;  // index in groups_
    std::uint32_t key_len = 0;
    char short_key[kShortKey];
    std::string long_key;  // only when key_len > kShortKey
    std::string_view key() const noexcept {
      return key_len <= kShortKey ? std::string_view(short_key, key_len)
                                  : std::string_view{long_key};
    }
    void SetKey(std::string_view k);
    bool KeyEquals(std::string_view k) const noexcept;
  };
  struct Group {
    std::uint64_t estimate = 0;
    std::uint32_t first = 0;
    std::uint32_t last = 0;
  };
  static constexpr std::uint32_t kEmpty = 0xffffffffu;
  // A hash-index cell: the low 32 bits of the key's hash (its tag; the home position is the tag's
  // low bits, as the index has at most 2^21 cells) above the slot number. Probing compares tags
  // in the index itself, so a probe past another key — most probes of a miss, and an eviction
  // starts with a miss — reads no slot.
  static constexpr std::uint64_t kEmptyCell = ~std::uint64_t{0};
  static constexpr std::uint64_t kTagMask = 0xffffffff00000000ULL;
  static std::uint64_t IndexTag(std::uint64_t hash) noexcept { return hash << 32; }
  static std::uint32_t CellSlot(std::uint64_t cell) noexcept {
    return static_cast<std::uint32_t>(cell);
  }

  std::uint32_t Find(std::string_view key, std::uint64_t hash) const noexcept;
  void IndexInsert(std::uint32_t slot);
  void IndexErase(std::uint32_t slot);
  void Bump(std::uint32_t slot);  // estimate += 1, keeping order_ and groups_ consistent
  std::uint32_t NewGroup(std::uint64_t estimate, std::uint32_t pos);

  std::size_t capacity_;
  std::uint64_t seed_;
  std::vector<Slot> entries_;         // at most capacity_, never shrinks
  std::vector<std::uint32_t> order_;  // slot indices, estimate descending
  std::vector<Group> groups_;
  std::vector<std::uint32_t> free_groups_;
  std::vector<std::uint64_t> index_;  // open addressing (linear probing), cells as above
  std::uint64_t index_mask_;
  std::uint64_t total_ = 0;
  std::uint64_t untracked_ = 0;
  std::uint64_t evictions_ = 0;
  std::uint64_t admissions_ = 0;
};

}  // namespace pulse::red
