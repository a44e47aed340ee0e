// SPDX-License-Identifier: MIT
// `deadline_timers`: what an `operation_engine` needs from its host to
// enforce PendingTimeout and the operation limit itself: a clock with
// timers, and somewhere resource code may run. Given these
// (`engine_options::timers`), the engine watches every pending operation's
// deadline (a report only moves it; the one timer re-checks when it fires),
// stops an operation whose deadline passed (terminate() on a call thread,
// reason pending_timeout, final state Failed) and abandons a body that
// ignores the stop for `stop_wait` as a zombie. No host watches a deadline
// of its own.
//
// The POSIX runner adapts its `scheduler` and `call_executor`; a test host
// adapts a virtual clock, and runs calls inline to stay deterministic.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <pendop/time.hpp>

#include <cstdint>
#include <functional>

namespace pendop {

/// Timers on the engine's clock, and call threads for resource code.
class deadline_timers {
 public:
  using task = std::function<void()>;
  /// Identifies a timer or a timed call; never 0.
  using timer_id = std::uint64_t;

  virtual ~deadline_timers() = default;

  /// The clock the deadlines are on (the engine platform's).
  [[nodiscard]] virtual time_point now() const noexcept = 0;

  /// Runs `fn` at (or soon after) `when` on the timers' thread. `fn` never
  /// blocks and never runs resource code.
  virtual timer_id at(time_point when, task fn) = 0;

  /// Cancels a timer that has not fired (a no-op otherwise).
  virtual void cancel(timer_id id) noexcept = 0;

  /// Runs `fn` where resource code may run (terminate() is called there),
  /// never on the timers' thread unless that is the host's choice.
  virtual void call(task fn) = 0;

  /// Runs `fn` at `when` on a call thread that waits for the time itself,
  /// so no timer thread hands the stop over at its time. 0: not supported
  /// (the default); the engine then uses `at` and `call`.
  virtual timer_id call_at(time_point when, task fn) {
    (void)when;
    (void)fn;
    return 0;
  }

  /// Cancels a `call_at` that has not started (a no-op otherwise).
  virtual void cancel_call(timer_id id) noexcept { (void)id; }

  /// Blocks a call thread until `when` on this clock. Used only with a
  /// positive `deadline_tuning::lead`.
  virtual void wait_until(time_point when) = 0;
};

/// How an engine with timers meets a deadline; the defaults suit every
/// host. A host whose timer thread wakes late sets these.
struct deadline_tuning {
  /// How long before a deadline the timer hands the stop to a call thread,
  /// which waits for the deadline itself (`wait_until`): the hand-off's
  /// wake-up is then not part of the stop's lateness. Zero: at the deadline.
  /// Keep it zero on a clock that moves only when told (a virtual one).
  duration lead{};
  /// Call threads wait for each deadline themselves (`call_at`), so no
  /// timer thread hands the stop over; falls back to `at` where `call_at`
  /// answers 0.
  bool calls_wait_for_deadlines = false;
};

}  // namespace pendop
