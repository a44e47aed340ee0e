// SPDX-License-Identifier: MIT
// `thread_pool_executor`: runs calls on a pool that starts with two threads
// and grows on demand up to `max_threads`, then queues: a thread that takes
// a call while others wait behind it and no thread is free adds one (the
// call may deadlock and occupy its thread), and `execute` adds one only
// when every thread is busy. So the caller of `execute` (the monitor's timer
// thread) does not create threads for a burst of short calls. Threads are
// created outside the pool's lock, so a slow thread creation holds up no
// call. Idle threads are kept for reuse; an idle monitor holds no thread per
// resource. The pool's threads wake from timed waits on time (minimum timer
// slack): calls may wait for a deadline on purpose.
//
// Timed calls (`execute_at`) are waited for by the pool itself: one idle
// thread (the leader) sleeps until the earliest and runs it on waking, with
// no other thread woken first, so it starts as promptly as a raw timer's
// callback. While it runs, the next due call waits for it (or for any
// thread that returns from a call). A second idle thread (the deputy) takes
// a due call over only once it has waited `deputy_grace` (100 ms by
// default) with a timed call still running: a call stuck in resource code
// holds up the timed calls behind it by about that, not until it returns,
// and a short one is not raced by a second thread (which would leave no
// thread idle and start a new one). A timed call never starts before its
// time; calls due at once start in the order they were added. Adding a
// timed call starts threads until two are free for these roles, so none is
// created when a call falls due. A thread counts as free from its start,
// before it first waits: calls made right after construction find the two
// threads started up front, and start no more.
//
// The destructor stops the pool, waits up to `join_wait` for running calls
// and abandons threads stuck in resource code (they hold their own state).
//
// Thread-safety: `execute`, `execute_at`, `cancel` and the queries may be
// called from any thread.
#pragma once

#include <pendop/posix/call_executor.hpp>
#include <pendop/time.hpp>

#include <cstddef>
#include <memory>

namespace pendop::posix {

namespace detail {
struct pool_state;
}  // namespace detail

/// A growing pool of call threads.
class thread_pool_executor final : public call_executor {
 public:
  explicit thread_pool_executor(std::size_t max_threads = 64,
                                duration join_wait = std::chrono::seconds(5),
                                duration deputy_grace = std::chrono::milliseconds(100));
  ~thread_pool_executor() override;
  thread_pool_executor(const thread_pool_executor&) = delete;
  thread_pool_executor& operator=(const thread_pool_executor&) = delete;

  void execute(call fn) override;
  timed_id execute_at(time_point when, call fn) override;
  bool cancel(timed_id id) noexcept override;

  /// Threads started so far (running or idle).
  [[nodiscard]] std::size_t threads() const;

  /// Calls currently running.
  [[nodiscard]] std::size_t busy() const;

  /// Timed calls waiting for their time (added by `execute_at`, neither
  /// started nor cancelled).
  [[nodiscard]] std::size_t timed() const;

 private:
  std::shared_ptr<detail::pool_state> state_;
};

}  // namespace pendop::posix
