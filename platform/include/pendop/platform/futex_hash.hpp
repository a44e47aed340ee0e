// SPDX-License-Identifier: MIT
// Sizes the process's futex hash for many blocked threads. Since 6.16 Linux
// gives each process a private futex hash of four buckets per CPU, counted
// when a thread is created (16 buckets on a 2-CPU machine). Every blocked
// thread waits in one bucket's chain and every wake walks a chain, so with
// one thread per pending operation (10 000 bodies waiting at once) each wake
// of a body, a call thread or a lock costs a walk past hundreds of others:
// the watchdog then falls behind by hundreds of milliseconds. A lot that
// starts many threads asks for about two buckets per thread.
// Nothing on systems without a private futex hash (Windows, whose waits
// have no per-process hash to size). Best effort: the hash only grows, a process that chose the global hash (or made its hash
// immutable) keeps it, and failures are ignored.
#pragma once

#include <cstddef>

namespace pendop::platform {

/// Buckets in the calling process's private futex hash; 0 when it has none
/// (an older kernel, no thread started yet, or the global hash chosen).
[[nodiscard]] std::size_t futex_hash_slots() noexcept;

/// Grows the private futex hash to at least `slots` buckets (rounded up to a
/// power of two, at most 2^20). Returns the buckets in use afterwards, as
/// `futex_hash_slots()`.
std::size_t reserve_futex_hash(std::size_t slots) noexcept;

}  // namespace pendop::platform
