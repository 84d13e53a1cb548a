// Requests per user without an unbounded `user` label: a Space-Saving top-K behind a lock.
//
// Thread-safe: Record and Snapshot may be called from any thread. Record holds a spin lock for
// one Space-Saving update (tens of nanoseconds); Snapshot copies the K entries under the lock.
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
  // capacity = K, the number of users tracked at once. Throws std::invalid_argument if 0.
  explicit UserTopK(std::size_t capacity);
  ~UserTopK();
  UserTopK(const UserTopK&) = delete;
  UserTopK& operator=(const UserTopK&) = delete;

  // Counts one request of `user` (normalised as above). A user literally named "__other__" is
  // counted under __other__ and never tracked, so the exported label stays unique.
  void Record(std::string_view user);

  struct Snapshot {
    struct User {
      std::string user;
      std::uint64_t requests = 0;  // exact count since the user was (last) admitted
      std::uint64_t estimate = 0;  // Space-Saving estimate (≥ the true count)
    };
    std::vector<User> users;  // highest estimate first
    std::uint64_t other = 0;  // every request not in `users[*].requests`; never decreases
    std::uint64_t total = 0;
    std::uint64_t evictions = 0;
    std::size_t memory_bytes = 0;
  };
  Snapshot Take() const;

  std::size_t capacity() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pulse::red
