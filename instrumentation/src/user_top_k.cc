#include "pulse/red/user_top_k.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pulse/red/sharded_histogram.h"
#include "pulse/red/space_saving.h"
#include "spin_lock.h"

namespace pulse::red {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid (overlongs,
// surrogates and code points above U+10FFFF are invalid too).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
  }
  return len;
}

// Eight bytes at a time; the tail is covered by one more (overlapping) load rather than a byte
// loop, which was a tenth of the top-K's time for typical 9–15-byte ids.
inline bool IsAscii(std::string_view s) {
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t high_bits = 0;
  if (n >= 8) {
    std::uint64_t chunk;
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&chunk, p + i, 8);
      high_bits |= chunk;
    }
    std::memcpy(&chunk, p + n - 8, 8);
    high_bits |= chunk;
  } else if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    high_bits = a | b;
  } else {
    for (std::size_t i = 0; i < n; ++i) high_bits |= static_cast<unsigned char>(p[i]);
  }
  return (high_bits & kHigh) == 0;
}

// What almost every request carries: an id NormalizeUser returns unchanged.
inline bool AlreadyNormal(std::string_view user) {
  return !user.empty() && user.size() <= kMaxUserBytes && IsAscii(user);
}

}  // namespace

std::string_view NormalizeUser(std::string_view raw, std::string& scratch) {
  if (AlreadyNormal(raw)) return raw;
  if (raw.empty()) return kAnonymousUser;
  if (raw.size() > kMaxUserBytes) raw = raw.substr(0, kMaxUserBytes);
  if (IsAscii(raw)) return raw;
  scratch.clear();
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t len = Utf8SequenceLength(raw, i);
    if (len == 0) {
      scratch.push_back('?');
      ++i;
    } else {
      scratch.append(raw.substr(i, len));
      i += len;
    }
  }
  return scratch;
}

namespace {

// The exported top-K: a Space-Saving table with weighted increments (one per user and scrape,
// weight = the requests the shards counted for that user since the previous scrape). Only the
// scrape touches it. The minimum is kept at the root of an indexed binary heap, so an increment
// or an admission is O(log K). Requests that leave the table (evictions) or never enter it are
// added to `other`, so `other` never decreases and Σ exact + other = all merged requests.
class ExportedTable {
 public:
  explicit ExportedTable(std::size_t capacity) : capacity_(capacity) {
    rows_.reserve(capacity);  // never reallocates: index_ holds views of the rows' keys
    heap_.reserve(capacity);
    index_.reserve(capacity);
  }

  void Add(std::string_view key, std::uint64_t weight) {
    if (const auto it = index_.find(key); it != index_.end()) {
      rows_[it->second].estimate += weight;
      SiftDown(rows_[it->second].heap_pos);
      return;
    }
    if (rows_.size() < capacity_) {
      const auto r = static_cast<std::uint32_t>(rows_.size());
      rows_.push_back(Row{std::string(key), weight, 0, static_cast<std::uint32_t>(heap_.size())});
      heap_.push_back(r);
      index_.emplace(rows_[r].key, r);
      SiftUp(rows_[r].heap_pos);
      return;
    }
    // Replace the minimum; the newcomer inherits its count as error (Space-Saving), and the
    // evicted user's exported count moves to __other__.
    const std::uint32_t r = heap_[0];
    Row& row = rows_[r];
    other_ += row.estimate - row.error;
    ++evictions_;
    index_.erase(row.key);
    row.key.assign(key);
    row.error = row.estimate;
    row.estimate += weight;
    index_.emplace(row.key, r);
    SiftDown(0);
  }
  bool Contains(std::string_view key) const { return index_.count(key) != 0; }
  void AddOther(std::uint64_t n) noexcept { other_ += n; }

  void Export(UserTopK::Snapshot& out) const {
    out.users.clear();
    out.users.reserve(rows_.size());
    for (const Row& r : rows_) {
      out.users.push_back(UserTopK::Snapshot::User{r.key, r.estimate - r.error, r.estimate});
    }
    std::sort(out.users.begin(), out.users.end(), [](const auto& a, const auto& b) {
      return a.estimate != b.estimate ? a.estimate > b.estimate : a.user < b.user;
    });
    out.other = other_;
    out.evictions = evictions_;
  }

  std::size_t MemoryBytes() const noexcept {
    std::size_t bytes = rows_.capacity() * sizeof(Row) + heap_.capacity() * sizeof(std::uint32_t) +
                        index_.bucket_count() * sizeof(void*) +
                        index_.size() * (sizeof(std::pair<std::string_view, std::uint32_t>) + 16);
    for (const Row& r : rows_) {
      if (r.key.capacity() > 15) bytes += r.key.capacity() + 1;
    }
    return bytes;
  }

 private:
  struct Row {
    std::string key;
    std::uint64_t estimate = 0;
    std::uint64_t error = 0;
    std::uint32_t heap_pos = 0;
  };
  bool Less(std::uint32_t a, std::uint32_t b) const noexcept {
    return rows_[heap_[a]].estimate < rows_[heap_[b]].estimate;
  }
  void Swap(std::uint32_t a, std::uint32_t b) noexcept {
    std::swap(heap_[a], heap_[b]);
    rows_[heap_[a]].heap_pos = a;
    rows_[heap_[b]].heap_pos = b;
  }
  void SiftUp(std::uint32_t i) noexcept {
    while (i > 0 && Less(i, (i - 1) / 2)) {
      Swap(i, (i - 1) / 2);
      i = (i - 1) / 2;
    }
  }
  void SiftDown(std::uint32_t i) noexcept {
    const auto n = static_cast<std::uint32_t>(heap_.size());
    for (;;) {
      const std::uint32_t l = 2 * i + 1, r = l + 1;
      std::uint32_t m = i;
      if (l < n && Less(l, m)) m = l;
      if (r < n && Less(r, m)) m = r;
      if (m == i) return;
      Swap(i, m);
      i = m;
    }
  }

  std::size_t capacity_;
  std::vector<Row> rows_;
  std::vector<std::uint32_t> heap_;                            // row indices, min-heap by estimate
  std::unordered_map<std::string_view, std::uint32_t> index_;  // key (viewing rows_) → row
  std::uint64_t other_ = 0;
  std::uint64_t evictions_ = 0;
};

// One per-CPU summary (see CurrentShard). Aligned so that the lock and the counters of two shards
// never share a cache line (the summary's arrays are separate heap blocks).
struct alignas(64) Shard {
  explicit Shard(std::size_t capacity) : summary(capacity) {}
  internal::SpinLock lock;
  SpaceSaving summary;
};

// What the previous scrape saw in one slot of a shard: the admission and its exact count then.
struct Mark {
  std::uint64_t admission = 0;
  std::uint64_t exact = 0;
};

}  // namespace

struct UserTopK::State {
  State(std::size_t capacity, unsigned shard_count)
      : capacity(capacity),
        shard_count(shard_count),
        shards(std::make_unique<std::atomic<Shard*>[]>(shard_count)),
        merge(shard_count, capacity) {}
  ~State() {
    for (unsigned i = 0; i < shard_count; ++i) delete shards[i].load(std::memory_order_acquire);
  }

  // Shard i, created on first use with a compare-and-swap (never freed while
  // the top-K lives, so a thread that exits leaves its counts behind for the next scrape).
  Shard& ShardOf(unsigned i) {
    Shard* s = shards[i].load(std::memory_order_acquire);
    if (s == nullptr) {
      auto fresh = std::make_unique<Shard>(capacity);
      if (shards[i].compare_exchange_strong(s, fresh.get(), std::memory_order_acq_rel)) {
        s = fresh.release();
      }
    }
    return *s;
  }

  const std::size_t capacity;
  const unsigned shard_count;
  std::unique_ptr<std::atomic<Shard*>[]> shards;

  // Scrape-side state, guarded by merge_mutex (Take is const but merges).
  struct Merge {
    Merge(unsigned shard_count, std::size_t capacity)
        : copies(shard_count), marks(shard_count), table(capacity) {}
    std::vector<std::vector<SpaceSaving::Entry>> copies;  // per shard, reused buffers
    std::vector<std::vector<Mark>> marks;                 // per shard, per slot
    std::uint64_t total = 0;                              // requests merged so far
    ExportedTable table;
  };
  mutable std::mutex merge_mutex;
  mutable Merge merge;
};

unsigned UserTopK::DefaultShards() noexcept { return DefaultShardCount(); }

UserTopK::UserTopK(std::size_t capacity, unsigned shards) {
  if (capacity == 0 || capacity > SpaceSaving::kMaxCapacity) {
    throw std::invalid_argument("user top-k: capacity " + std::to_string(capacity) +
                                " is outside [1, " + std::to_string(SpaceSaving::kMaxCapacity) +
                                "]");
  }
  if (shards == 0) shards = DefaultShards();
  if (!std::has_single_bit(shards) || shards > kMaxShards) {
    throw std::invalid_argument("user top-k: shard count " + std::to_string(shards) +
                                " is not a power of two ≤ " + std::to_string(kMaxShards));
  }
  state_ = std::make_unique<State>(capacity, shards);
}
UserTopK::~UserTopK() = default;

std::size_t UserTopK::capacity() const noexcept { return state_->capacity; }
unsigned UserTopK::shards() const noexcept { return state_->shard_count; }

void UserTopK::Record(std::string_view user) { Record(user, nullptr, nullptr); }

namespace {

// NormalizeUser for ids that need rewriting (empty, too long, not ASCII); kept out of line so
// that the common case below has no call and no thread_local access. The view stays valid until
// the thread's next call.
[[gnu::noinline]] std::string_view NormalizeRare(std::string_view user) {
  thread_local std::string scratch;
  return NormalizeUser(user, scratch);
}

}  // namespace

void UserTopK::Record(std::string_view user, UnderShardLock also, void* context) {
  const std::string_view key = AlreadyNormal(user) ? user : NormalizeRare(user);
  const unsigned index = CurrentShard(state_->shard_count);
  Shard& shard = state_->ShardOf(index);
  // Hash outside the lock: the critical section is only the table update.
  const bool reserved = key == kOtherUser;
  const std::uint64_t hash = reserved ? 0 : shard.summary.Hash(key);
  std::lock_guard<internal::SpinLock> guard(shard.lock);
  if (also != nullptr) also(context, index);
  if (reserved) {
    shard.summary.IncrementUntracked();
  } else {
    shard.summary.Increment(key, hash);
  }
}

// The merge. For each shard, copy its entries under its lock (a consistent cut: the shard's total
// and every entry's count as of the same instant). A slot whose admission is the one the previous
// scrape saw contributes exact_now − exact_then; a slot admitted since contributes exact_now.
// These are disjoint sets of requests recorded since the previous scrape, so their sum never
// exceeds the shard's new requests; the rest (requests counted while no slot held their user,
// and the tail of users evicted from a shard) goes to __other__. Per user, the contributions of
// all shards are summed and added to the exported table once.
UserTopK::Snapshot UserTopK::Take() const {
  State& st = *state_;
  std::lock_guard<std::mutex> merge_guard(st.merge_mutex);
  State::Merge& m = st.merge;
  Snapshot out;
  std::uint64_t total = 0;
  std::unordered_map<std::string_view, std::uint64_t> delta;
  std::size_t shard_bytes = 0;
  for (unsigned i = 0; i < st.shard_count; ++i) {
    Shard* shard = st.shards[i].load(std::memory_order_acquire);
    if (shard == nullptr) continue;
    std::vector<SpaceSaving::Entry>& copy = m.copies[i];
    {
      std::lock_guard<internal::SpinLock> guard(shard->lock);
      shard->summary.CopyEntries(copy);
      total += shard->summary.total();
      shard_bytes += shard->summary.MemoryBytes();
    }
    shard_bytes += sizeof(Shard);
    std::vector<Mark>& marks = m.marks[i];
    marks.resize(copy.size());  // slots are never removed: only grows
    for (std::size_t slot = 0; slot < copy.size(); ++slot) {
      const SpaceSaving::Entry& e = copy[slot];
      const std::uint64_t exact = e.exact();
      const std::uint64_t since =
          marks[slot].admission == e.admission ? exact - marks[slot].exact : exact;
      marks[slot] = Mark{e.admission, exact};
      if (since > 0) delta[e.key] += since;
    }
  }
  // Users already exported first (they only grow, nobody is evicted for them), then newcomers,
  // largest first: the small tail then competes only with itself for the bottom slots.
  std::vector<std::pair<std::string_view, std::uint64_t>> order(delta.begin(), delta.end());
  std::vector<char> tracked(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) tracked[i] = m.table.Contains(order[i].first);
  std::vector<std::size_t> idx(order.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    if (tracked[a] != tracked[b]) return tracked[a] > tracked[b];
    if (order[a].second != order[b].second) return order[a].second > order[b].second;
    return order[a].first < order[b].first;
  });
  std::uint64_t attributed = 0;
  for (const std::size_t i : idx) {
    m.table.Add(order[i].first, order[i].second);
    attributed += order[i].second;
  }
  // attributed ≤ total − m.total by construction (see above); the remainder is __other__'s.
  m.table.AddOther(total - m.total - attributed);
  m.total = total;

  m.table.Export(out);
  out.total = total;
  std::size_t merge_bytes = sizeof(State) + m.table.MemoryBytes();
  for (unsigned i = 0; i < st.shard_count; ++i) {
    merge_bytes +=
        m.marks[i].capacity() * sizeof(Mark) + m.copies[i].capacity() * sizeof(SpaceSaving::Entry);
    for (const auto& e : m.copies[i]) {
      if (e.key.capacity() > 15) merge_bytes += e.key.capacity() + 1;
    }
  }
  out.memory_bytes = shard_bytes + merge_bytes;
  return out;
}

}  // namespace pulse::red
