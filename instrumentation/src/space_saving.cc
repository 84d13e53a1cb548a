#include "pulse/red/space_saving.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>
#include <stdexcept>

namespace pulse::red {
namespace {

std::uint64_t Mix(std::uint64_t h) noexcept {  // MurmurHash3's 64-bit finaliser
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Eight bytes at a time, seeded per instance: user ids are short, and a per-process random seed
// keeps a client from choosing ids that all land in one probe run of the index.
std::uint64_t HashKey(std::string_view key, std::uint64_t seed) noexcept {
  std::uint64_t h = seed ^ (key.size() * 0x9e3779b97f4a7c15ULL);
  std::size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, key.data() + i, 8);
    h = (h ^ Mix(chunk)) * 0x9e3779b97f4a7c15ULL;
  }
  if (i < key.size()) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, key.data() + i, key.size() - i);
    h = (h ^ Mix(chunk)) * 0x9e3779b97f4a7c15ULL;
  }
  return Mix(h);
}

}  // namespace

SpaceSaving::SpaceSaving(std::size_t capacity)
    : capacity_(capacity),
      seed_((std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {
  if (capacity == 0 || capacity > kMaxCapacity) {
    throw std::invalid_argument("space-saving: capacity " + std::to_string(capacity) +
                                " is outside [1, " + std::to_string(kMaxCapacity) + "]");
  }
  entries_.reserve(capacity);
  order_.reserve(capacity);
  groups_.reserve(capacity + 1);
  free_groups_.reserve(capacity + 1);
  // Load factor ≤ 1/2 keeps linear probes short.
  index_.assign(std::bit_ceil(capacity * 2), kEmpty);
  index_mask_ = index_.size() - 1;
}

std::uint32_t SpaceSaving::Find(std::string_view key, std::uint64_t hash) const noexcept {
  for (std::uint64_t i = hash & index_mask_;; i = (i + 1) & index_mask_) {
    const std::uint32_t e = index_[i];
    if (e == kEmpty) return kEmpty;
    const Slot& s = entries_[e];
    if (s.hash == hash && s.key == key) return e;
  }
}

void SpaceSaving::IndexInsert(std::uint32_t slot) {
  std::uint64_t i = entries_[slot].hash & index_mask_;
  while (index_[i] != kEmpty) i = (i + 1) & index_mask_;
  index_[i] = slot;
}

// Backward-shift deletion: keeps every remaining key reachable from its home position without
// tombstones, so probe lengths do not degrade under constant churn.
void SpaceSaving::IndexErase(std::uint32_t slot) {
  std::uint64_t i = entries_[slot].hash & index_mask_;
  while (index_[i] != slot) i = (i + 1) & index_mask_;
  std::uint64_t j = i;
  for (;;) {
    j = (j + 1) & index_mask_;
    if (index_[j] == kEmpty) break;
    const std::uint64_t home = entries_[index_[j]].hash & index_mask_;
    // Move j back to i unless its home lies cyclically in (i, j].
    const bool home_in_range = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
    if (!home_in_range) {
      index_[i] = index_[j];
      i = j;
    }
  }
  index_[i] = kEmpty;
}

std::uint32_t SpaceSaving::NewGroup(std::uint64_t estimate, std::uint32_t pos) {
  std::uint32_t g;
  if (!free_groups_.empty()) {
    g = free_groups_.back();
    free_groups_.pop_back();
  } else {
    g = static_cast<std::uint32_t>(groups_.size());
    groups_.emplace_back();
  }
  groups_[g] = Group{estimate, pos, pos};
  return g;
}

void SpaceSaving::Bump(std::uint32_t slot) {
  Slot& s = entries_[slot];
  const std::uint32_t gid = s.group;
  const std::uint64_t estimate = groups_[gid].estimate + 1;
  // Move the slot to the front of its group.
  const std::uint32_t front = groups_[gid].first;
  if (s.pos != front) {
    const std::uint32_t other = order_[front];
    order_[s.pos] = other;
    entries_[other].pos = s.pos;
    order_[front] = slot;
    s.pos = front;
  }
  // Leave the group (freeing it when it was the only member).
  if (groups_[gid].last == front) {
    free_groups_.push_back(gid);
  } else {
    groups_[gid].first = front + 1;
  }
  // Join the group just before it if that one has the new estimate, else start one.
  if (front > 0) {
    const std::uint32_t prev = entries_[order_[front - 1]].group;
    if (groups_[prev].estimate == estimate) {
      groups_[prev].last = front;
      s.group = prev;
      return;
    }
  }
  s.group = NewGroup(estimate, front);
}

std::uint64_t SpaceSaving::Hash(std::string_view key) const noexcept { return HashKey(key, seed_); }

void SpaceSaving::Increment(std::string_view key, std::uint64_t hash) {
  ++total_;
  std::uint32_t e = Find(key, hash);
  if (e != kEmpty) {
    Bump(e);
    return;
  }
  if (entries_.size() < capacity_) {
    e = static_cast<std::uint32_t>(entries_.size());
    const auto pos = static_cast<std::uint32_t>(order_.size());
    Slot& s = entries_.emplace_back();
    s.key.assign(key);
    s.hash = hash;
    s.pos = pos;
    order_.push_back(e);
    const std::uint32_t tail_group = pos > 0 ? entries_[order_[pos - 1]].group : kEmpty;
    if (tail_group != kEmpty && groups_[tail_group].estimate == 1) {
      groups_[tail_group].last = pos;
      s.group = tail_group;
    } else {
      s.group = NewGroup(1, pos);
    }
    IndexInsert(e);
    return;
  }
  // Replace an entry with the smallest estimate (the last in order_); the newcomer inherits that
  // estimate as its error and then counts its own occurrence.
  e = order_.back();
  Slot& s = entries_[e];
  const std::uint64_t min_estimate = groups_[s.group].estimate;
  untracked_ += min_estimate - s.error;
  ++evictions_;
  IndexErase(e);
  s.key.assign(key);  // reuses the string's capacity
  s.hash = hash;
  s.error = min_estimate;
  IndexInsert(e);
  Bump(e);
}

std::vector<SpaceSaving::Entry> SpaceSaving::Entries(bool sorted) const {
  std::vector<Entry> out;
  out.reserve(entries_.size());
  for (const Slot& s : entries_) out.push_back(Entry{s.key, groups_[s.group].estimate, s.error});
  if (sorted) SortEntries(out);
  return out;
}

void SpaceSaving::SortEntries(std::vector<Entry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.estimate != b.estimate ? a.estimate > b.estimate : a.key < b.key;
  });
}

std::size_t SpaceSaving::MemoryBytes() const noexcept {
  std::size_t bytes =
      sizeof(*this) + entries_.capacity() * sizeof(Slot) +
      order_.capacity() * sizeof(std::uint32_t) + groups_.capacity() * sizeof(Group) +
      free_groups_.capacity() * sizeof(std::uint32_t) + index_.capacity() * sizeof(std::uint32_t);
  for (const Slot& s : entries_) {
    if (s.key.capacity() > 15) bytes += s.key.capacity() + 1;  // heap buffer beyond SSO
  }
  return bytes;
}

}  // namespace pulse::red
