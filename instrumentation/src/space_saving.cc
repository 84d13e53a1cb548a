#include "pulse/red/space_saving.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>
#include <stdexcept>

#include "pulse/red/key_hash.h"

// The helpers of Increment are forced inline into it: as separate calls each paid a prologue
// and epilogue (saving and restoring registers) of about a fifth of its instructions.
#define PULSE_HOT_INLINE [[gnu::always_inline]] inline

namespace pulse::red {
namespace {

using internal::Load32;
using internal::Load64;

// Copies n ≤ 40 bytes with two (overlapping) fixed-size moves of the widest size that fits, so
// there is no loop and no library call.
void CopyShort(char* dst, const char* src, std::size_t n) noexcept {
  if (n > 16) {
    std::memcpy(dst, src, 16);
    if (n > 32) std::memcpy(dst + 16, src + 16, 16);
    std::memcpy(dst + n - 16, src + n - 16, 16);
  } else if (n >= 8) {
    std::memcpy(dst, src, 8);
    std::memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(dst, src, 4);
    std::memcpy(dst + n - 4, src + n - 4, 4);
  } else {
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

// Equality of two n-byte strings (n ≤ 40) with the same overlapping loads.
bool EqualShort(const char* a, const char* b, std::size_t n) noexcept {
  if (n >= 8) {
    std::uint64_t diff = 0;
    std::size_t i = 0;
    for (; i + 8 < n; i += 8) diff |= Load64(a + i) ^ Load64(b + i);
    return (diff | (Load64(a + n - 8) ^ Load64(b + n - 8))) == 0;
  }
  if (n >= 4) {
    return ((Load32(a) ^ Load32(b)) | (Load32(a + n - 4) ^ Load32(b + n - 4))) == 0;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

PULSE_HOT_INLINE void SpaceSaving::Slot::SetKey(std::string_view k) {
  key_len = static_cast<std::uint32_t>(k.size());
  if (k.size() <= kShortKey) {
    CopyShort(short_key, k.data(), k.size());
  } else {
    long_key.assign(k);  // reuses its capacity
  }
}

PULSE_HOT_INLINE bool SpaceSaving::Slot::KeyEquals(std::string_view k) const noexcept {
  if (k.size() != key_len) return false;
  if (key_len <= kShortKey) return EqualShort(short_key, k.data(), key_len);
  return long_key == k;
}

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
  index_.assign(std::bit_ceil(capacity * 2), kEmptyCell);
  index_mask_ = index_.size() - 1;
}

PULSE_HOT_INLINE std::uint32_t SpaceSaving::Find(std::string_view key,
                                                 std::uint64_t hash) const noexcept {
  const std::uint64_t tag = IndexTag(hash);
  for (std::uint64_t i = hash & index_mask_;; i = (i + 1) & index_mask_) {
    const std::uint64_t cell = index_[i];
    if (cell == kEmptyCell) return kEmpty;
    // Only a cell with the same hash bits costs a look at the slot (and its key).
    if ((cell & kTagMask) == tag && entries_[CellSlot(cell)].KeyEquals(key)) return CellSlot(cell);
  }
}

PULSE_HOT_INLINE void SpaceSaving::IndexInsert(std::uint32_t slot) {
  const std::uint64_t hash = entries_[slot].hash;
  std::uint64_t i = hash & index_mask_;
  while (index_[i] != kEmptyCell) i = (i + 1) & index_mask_;
  index_[i] = IndexTag(hash) | slot;
}

// Backward-shift deletion: keeps every remaining key reachable from its home position without
// tombstones, so probe lengths do not degrade under constant churn. Each cell carries its
// hash's low bits, so a cell's home is known without reading its slot.
PULSE_HOT_INLINE void SpaceSaving::IndexErase(std::uint32_t slot) {
  const std::uint64_t hash = entries_[slot].hash;
  const std::uint64_t cell = IndexTag(hash) | slot;
  std::uint64_t i = hash & index_mask_;
  while (index_[i] != cell) i = (i + 1) & index_mask_;
  std::uint64_t j = i;
  for (;;) {
    j = (j + 1) & index_mask_;
    if (index_[j] == kEmptyCell) break;
    const std::uint64_t home = (index_[j] >> 32) & index_mask_;
    // Move j back to i unless its home lies cyclically in (i, j].
    const bool home_in_range = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
    if (!home_in_range) {
      index_[i] = index_[j];
      i = j;
    }
  }
  index_[i] = kEmptyCell;
}

PULSE_HOT_INLINE std::uint32_t SpaceSaving::NewGroup(std::uint64_t estimate, std::uint32_t pos) {
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

PULSE_HOT_INLINE void SpaceSaving::Bump(std::uint32_t slot) {
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
    s.SetKey(key);
    s.hash = hash;
    s.admission = ++admissions_;
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
  s.SetKey(key);
  s.hash = hash;
  s.error = min_estimate;
  s.admission = ++admissions_;
  IndexInsert(e);
  Bump(e);
}

std::vector<SpaceSaving::Entry> SpaceSaving::Entries(bool sorted) const {
  std::vector<Entry> out;
  out.reserve(entries_.size());
  for (const Slot& s : entries_) {
    out.push_back(Entry{std::string(s.key()), groups_[s.group].estimate, s.error, s.admission});
  }
  if (sorted) SortEntries(out);
  return out;
}

void SpaceSaving::CopyEntries(std::vector<Entry>& out) const {
  // entries_ only grows, so for one summary this only ever grows `out` (existing keys keep their
  // buffers and assign() below reuses them).
  out.resize(entries_.size());
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Slot& s = entries_[i];
    Entry& e = out[i];
    e.key.assign(s.key());
    e.estimate = groups_[s.group].estimate;
    e.error = s.error;
    e.admission = s.admission;
  }
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
      free_groups_.capacity() * sizeof(std::uint32_t) + index_.capacity() * sizeof(std::uint64_t);
  for (const Slot& s : entries_) {
    if (s.long_key.capacity() > 15) bytes += s.long_key.capacity() + 1;  // heap buffer beyond SSO
  }
  return bytes;
}

}  // namespace pulse::red
