#include "pulse/red/space_saving.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <stdexcept>

namespace pulse::red {

SpaceSaving::SpaceSaving(std::size_t capacity) : capacity_(capacity) {
  if (capacity == 0 || capacity > kMaxCapacity) {
    throw std::invalid_argument("space-saving: capacity " + std::to_string(capacity) +
                                " is outside [1, " + std::to_string(kMaxCapacity) + "]");
  }
  entries_.reserve(capacity);
  heap_.reserve(capacity);
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

void SpaceSaving::SiftDown(std::uint32_t pos) noexcept {
  const auto n = static_cast<std::uint32_t>(heap_.size());
  const HeapNode moving = heap_[pos];
  for (;;) {
    const std::uint32_t l = 2 * pos + 1;
    if (l >= n) break;
    std::uint32_t smallest = l;
    const std::uint32_t r = l + 1;
    if (r < n && heap_[r].estimate < heap_[l].estimate) smallest = r;
    if (heap_[smallest].estimate >= moving.estimate) break;
    heap_[pos] = heap_[smallest];
    entries_[heap_[pos].slot].heap_pos = pos;
    pos = smallest;
  }
  heap_[pos] = moving;
  entries_[moving.slot].heap_pos = pos;
}

void SpaceSaving::SiftUp(std::uint32_t pos) noexcept {
  const HeapNode moving = heap_[pos];
  while (pos > 0) {
    const std::uint32_t parent = (pos - 1) / 2;
    if (heap_[parent].estimate <= moving.estimate) break;
    heap_[pos] = heap_[parent];
    entries_[heap_[pos].slot].heap_pos = pos;
    pos = parent;
  }
  heap_[pos] = moving;
  entries_[moving.slot].heap_pos = pos;
}

void SpaceSaving::Increment(std::string_view key) {
  ++total_;
  const std::uint64_t hash = std::hash<std::string_view>{}(key);
  std::uint32_t e = Find(key, hash);
  if (e != kEmpty) {
    const std::uint32_t pos = entries_[e].heap_pos;
    ++heap_[pos].estimate;
    SiftDown(pos);
    return;
  }
  if (entries_.size() < capacity_) {
    e = static_cast<std::uint32_t>(entries_.size());
    Slot& s = entries_.emplace_back();
    s.key.assign(key);
    s.hash = hash;
    s.heap_pos = static_cast<std::uint32_t>(heap_.size());
    heap_.push_back(HeapNode{1, e});
    IndexInsert(e);
    SiftUp(s.heap_pos);
    return;
  }
  // Replace the entry with the smallest estimate; the newcomer inherits it as its error.
  HeapNode& root = heap_[0];
  e = root.slot;
  Slot& s = entries_[e];
  untracked_ += root.estimate - s.error;
  ++evictions_;
  IndexErase(e);
  s.key.assign(key);  // reuses the string's capacity
  s.hash = hash;
  s.error = root.estimate;
  ++root.estimate;
  IndexInsert(e);
  SiftDown(0);
}

std::vector<SpaceSaving::Entry> SpaceSaving::Entries() const {
  std::vector<Entry> out;
  out.reserve(entries_.size());
  for (const Slot& s : entries_) out.push_back(Entry{s.key, heap_[s.heap_pos].estimate, s.error});
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.estimate != b.estimate ? a.estimate > b.estimate : a.key < b.key;
  });
  return out;
}

std::size_t SpaceSaving::MemoryBytes() const noexcept {
  std::size_t bytes = sizeof(*this) + entries_.capacity() * sizeof(Slot) +
                      heap_.capacity() * sizeof(HeapNode) +
                      index_.capacity() * sizeof(std::uint32_t);
  for (const Slot& s : entries_) {
    if (s.key.capacity() > 15) bytes += s.key.capacity() + 1;  // heap buffer beyond SSO
  }
  return bytes;
}

}  // namespace pulse::red
