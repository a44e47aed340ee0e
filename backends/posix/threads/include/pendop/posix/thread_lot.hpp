// SPDX-License-Identifier: MIT
// `thread_lot`: parked threads that workers reuse. A worker whose body has
// returned parks its thread here (up to `capacity` threads, each for up to
// `linger`), and the next `worker::create` hands its body to a parked thread
// instead of starting one. A pending operation still has a thread of its
// own while it runs; starting it costs a wake-up instead of a thread
// creation. Destroying the lot lets every parked thread exit at once; a
// thread that is running a body parks no more and exits when it returns.
//
// Leaving is gentle. With a `gap`, threads whose linger is over leave one
// at a time, oldest first, each once the lot has been calm (no thread
// started or parked) for `calm` and no thread has left for `gap`; each
// stays reusable until its turn. Unmapping a stack stalls every CPU for a
// TLB flush: a thousand exits at once, or exits in the middle of a storm of
// timeouts, delay everything else by milliseconds (measured on a 2-core VM:
// 0.1-2.5 ms of CPU per exit, and a storm's lulls of a few milliseconds
// were enough for a gap-only rule to start dozens of exits mid-storm). A
// lot that is never calm still sheds its idle threads, one per `linger` (or
// `gap`, if longer). A thread that exits first drops to
// the lowest priority (`lower_current_thread_priority`); a parked thread
// keeps its priority for the next body. When asked (`grow_futex_hash`), as
// its threads double the lot grows the process's futex hash to about two
// buckets per thread: Linux 6.16+ gives a process 16 buckets on 2 CPUs, and
// with thousands of blocked bodies every wake-up walks hundreds of waiters
// (measured: 10 000 pending operations' stops fell 1.4 s behind). The hash
// is the whole process's, so it is never grown unasked.
//
// Thread-safe. A monitor gives one lot to all of its runners; a runner made
// without one has a lot of its own with one place.
#pragma once

#include <pendop/time.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace pendop::posix {

namespace detail {
struct lot_state;
}  // namespace detail

class thread_lot {
 public:
  using job = std::function<void()>;

  /// `capacity` threads park at most; each lingers `linger`, then leaves
  /// at its turn: once the lot has had no thread start or park for `calm`
  /// (zero: `gap`) and none leave for `gap`, or, if it never is that calm,
  /// the longer of `linger` and `gap` after its turn was due and after the
  /// previous departure (zero `gap`: at once). `grow_futex_hash`: see above.
  explicit thread_lot(std::size_t capacity = 16, duration linger = std::chrono::seconds(1),
                      duration gap = duration::zero(), duration calm = duration::zero(),
                      bool grow_futex_hash = false);
  ~thread_lot();
  thread_lot(const thread_lot&) = delete;
  thread_lot& operator=(const thread_lot&) = delete;

  /// Runs `fn` on a parked thread, or on a new one (which parks when `fn`
  /// returns). Throws `std::system_error` when the system refuses a thread.
  void start(job fn);

  /// Threads parked now.
  [[nodiscard]] std::size_t parked() const;

 private:
  std::shared_ptr<detail::lot_state> state_;
};

}  // namespace pendop::posix
