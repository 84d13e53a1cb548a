#include "pulse/red/user_top_k.h"

#include <cstring>
#include <mutex>
#include <stdexcept>

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

bool IsAscii(std::string_view s) {
  std::uint64_t high_bits = 0;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, s.data() + i, 8);
    high_bits |= chunk;
  }
  for (; i < s.size(); ++i) high_bits |= static_cast<unsigned char>(s[i]);
  return (high_bits & 0x8080808080808080ULL) == 0;
}

}  // namespace

std::string_view NormalizeUser(std::string_view raw, std::string& scratch) {
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

struct UserTopK::State {
  explicit State(std::size_t capacity) : summary(capacity) {}
  mutable internal::SpinLock lock;
  SpaceSaving summary;
};

UserTopK::UserTopK(std::size_t capacity) : state_(std::make_unique<State>(capacity)) {}
UserTopK::~UserTopK() = default;

std::size_t UserTopK::capacity() const noexcept { return state_->summary.capacity(); }

void UserTopK::Record(std::string_view user) {
  thread_local std::string scratch;
  const std::string_view key = NormalizeUser(user, scratch);
  if (key == kOtherUser) {
    std::lock_guard<internal::SpinLock> guard(state_->lock);
    state_->summary.IncrementUntracked();
    return;
  }
  // Hash outside the lock: the critical section is only the table update.
  const std::uint64_t hash = state_->summary.Hash(key);
  std::lock_guard<internal::SpinLock> guard(state_->lock);
  state_->summary.Increment(key, hash);
}

UserTopK::Snapshot UserTopK::Take() const {
  std::vector<SpaceSaving::Entry> entries;
  Snapshot out;
  {
    std::lock_guard<internal::SpinLock> guard(state_->lock);
    entries = state_->summary.Entries(/*sorted=*/false);  // sorted below, outside the lock
    out.other = state_->summary.untracked_total();
    out.total = state_->summary.total();
    out.evictions = state_->summary.evictions();
    out.memory_bytes = state_->summary.MemoryBytes() + sizeof(State);
  }
  SpaceSaving::SortEntries(entries);
  out.users.reserve(entries.size());
  for (auto& e : entries) {
    out.users.push_back(Snapshot::User{std::move(e.key), e.exact(), e.estimate});
  }
  return out;
}

}  // namespace pulse::red
