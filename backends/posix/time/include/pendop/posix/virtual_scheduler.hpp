// SPDX-License-Identifier: MIT
// `virtual_scheduler`: deterministic virtual time for tests. Time moves only
// in `advance()`, which steps from one deadline to the next (timers and
// sleeping bodies alike), runs due callbacks on the calling thread, and
// before every step waits until each running activity (a pending
// operation's body, see `time_source::begin_activity`) is asleep on this
// clock or has ended. So "report every 60 s, PendingTimeout 180 s" runs the
// same way every time, in microseconds.
//
// A body that blocks on something other than this clock holds virtual time
// still; tests keep such bodies out of `advance()` windows.
//
// Thread-safety: every member may be called from any thread; `advance` and
// `run_due` from one thread at a time.
#pragma once

#include <pendop/posix/scheduler.hpp>

#include <condition_variable>
#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <utility>

namespace pendop::posix {

/// Timers and sleeps on virtual time.
class virtual_scheduler final : public scheduler {
 public:
  explicit virtual_scheduler(time_point start = time_point{} + std::chrono::hours(1)) noexcept
      : now_(start) {}

  [[nodiscard]] time_point now() const noexcept override;
  bool wait_until(std::stop_token stop, time_point deadline) noexcept override;
  void begin_activity() noexcept override;
  void end_activity() noexcept override;
  timer_id schedule_at(time_point when, task fn) override;
  bool cancel(timer_id id) noexcept override;

  /// Moves time forward by `d`, step by step, running every timer and
  /// waking every sleeper that falls due, in order.
  void advance(duration d);

  /// Runs the callbacks due at the current time (after letting activities settle).
  void run_due();

  /// Waits until every activity is asleep on this clock or has ended.
  void settle() const;

  /// Timers not yet run.
  [[nodiscard]] std::size_t pending_timers() const;

  /// Bodies asleep on this clock.
  [[nodiscard]] std::size_t sleepers() const;

 private:
  struct sleeper {
    time_point deadline;
    bool counted = false;  // counted in asleep_
    bool woken = false;    // woken by advance() or a stop: no longer counted
    bool stopped = false;  // woken by a stop request, not by time
  };

  void settle_locked(std::unique_lock<std::mutex>& lk) const;
  bool run_one_due(std::unique_lock<std::mutex>& lk);
  void wake_due_locked();

  mutable std::mutex mu_;
  mutable std::condition_variable_any cv_;
  time_point now_;
  std::map<std::pair<time_point, timer_id>, task> timers_;
  std::map<timer_id, time_point> timer_index_;
  timer_id next_id_ = 1;
  std::list<sleeper> sleepers_;
  std::ptrdiff_t active_ = 0;   // activities begun and not ended
  std::ptrdiff_t asleep_ = 0;   // sleepers not yet woken
};

}  // namespace pendop::posix
