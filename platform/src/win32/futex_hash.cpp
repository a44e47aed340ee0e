// SPDX-License-Identifier: MIT
// Windows has no per-process futex hash to size: the waits of std::mutex and
// std::condition_variable (SRW locks, condition variables, WaitOnAddress)
// are the system's to spread.
#include <pendop/platform/futex_hash.hpp>

namespace pendop::platform {

std::size_t futex_hash_slots() noexcept { return 0; }
std::size_t reserve_futex_hash(std::size_t) noexcept { return 0; }

}  // namespace pendop::platform
