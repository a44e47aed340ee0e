// SPDX-License-Identifier: MIT
#include <pendop/platform/futex_hash.hpp>

#include <algorithm>
#include <bit>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace pendop::platform {

#if defined(__linux__)

namespace {

// From <linux/prctl.h> of Linux 6.16; older headers lack them.
constexpr int futex_hash_option = 78;  // PR_FUTEX_HASH
constexpr unsigned long set_slots = 1;  // PR_FUTEX_HASH_SET_SLOTS
constexpr unsigned long get_slots = 2;  // PR_FUTEX_HASH_GET_SLOTS
constexpr std::size_t most_slots = std::size_t{1} << 20;

}  // namespace

std::size_t futex_hash_slots() noexcept {
  const int n = ::prctl(futex_hash_option, get_slots, 0UL, 0UL, 0UL);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

std::size_t reserve_futex_hash(std::size_t slots) noexcept {
  const std::size_t now = futex_hash_slots();
  // 0: no private hash to grow (or the process chose the global one).
  if (now == 0) return 0;
  const std::size_t want = std::bit_ceil(std::clamp<std::size_t>(slots, 16, most_slots));
  if (want <= now) return now;
  (void)::prctl(futex_hash_option, set_slots, static_cast<unsigned long>(want), 0UL, 0UL);
  return futex_hash_slots();
}

#else

std::size_t futex_hash_slots() noexcept { return 0; }
std::size_t reserve_futex_hash(std::size_t) noexcept { return 0; }

#endif

}  // namespace pendop::platform
