// SPDX-License-Identifier: MIT
// `deadline_watch`: the one enforcer of PendingTimeout and the operation
// limit (private to the core). It keeps one timer at (or `lead` before) the
// pending operation's deadline. A report only moves the deadline; when the
// timer fires it re-arms for the moved deadline, or has a call thread stop
// the operation (`engine_core::expire`), and `stop_wait` later abandons a
// body that ignored the stop (`engine_core::reap_overdue`).
//
// Timer callbacks hold the engine weakly: an engine gone meanwhile is left
// alone. Locks: `mu_` guards the armed checks and is brief. Under it a timer
// may be armed or cancelled and the engine's deadline read (its `mu`), never
// resource code run; it is never taken while the engine's `mu` is held.
#pragma once

#include <pendop/host/deadline_timers.hpp>
#include <pendop/time.hpp>

#include <cstdint>
#include <memory>
#include <mutex>

namespace pendop::detail {

struct engine_core;

class deadline_watch {
 public:
  deadline_watch(std::shared_ptr<deadline_timers> timers, duration stop_wait,
                 deadline_tuning tuning) noexcept;
  ~deadline_watch();
  deadline_watch(const deadline_watch&) = delete;
  deadline_watch& operator=(const deadline_watch&) = delete;

  /// The engine enforces its own deadlines (it has timers).
  [[nodiscard]] bool active() const noexcept { return timers_ != nullptr; }

  /// An operation is pending with `deadline`: make sure it is checked no
  /// later than that.
  void watch(engine_core& core, time_point deadline);

  /// A final report went out: the check left for it is cancelled, unless a
  /// new operation (which armed it after it began) is pending.
  void settled(engine_core& core);

  /// Drops every check (the engine shuts down).
  void cancel() noexcept;

 private:
  bool watch_on_calls(engine_core& core, time_point deadline);
  void arm(engine_core& core, time_point when);
  void on_timer(engine_core& core);
  void on_due(engine_core& core, std::uint64_t gen);
  void stop_if_due(engine_core& core);

  const std::shared_ptr<deadline_timers> timers_;  // null: the host calls enforce_deadline()
  const duration stop_wait_;
  const deadline_tuning tuning_;

  std::mutex mu_;
  deadline_timers::timer_id timer_ = 0;  // guarded by mu_
  time_point armed_at_{};                // guarded by mu_
  deadline_timers::timer_id due_ = 0;    // guarded by mu_: the check a call thread waits for
  time_point due_at_{};                  // guarded by mu_
  std::uint64_t due_gen_ = 0;            // guarded by mu_: which check `due_` is
};

}  // namespace pendop::detail
