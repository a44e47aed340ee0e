// SPDX-License-Identifier: MIT
// `scheduler`: the monitor's timers. A `time_source` (a clock that bodies
// can sleep on) that also runs callbacks at given times on its own thread:
// `asio_scheduler` in production (a Boost.Asio io_context with steady
// timers), `virtual_scheduler` in tests (time moves only on `advance`).
//
// Thread-safety: every member may be called from any thread. Callbacks run
// one at a time on the scheduler's thread, in deadline order.
#pragma once

#include <pendop/posix/time_source.hpp>

#include <cstdint>
#include <functional>

namespace pendop::posix {

/// Timers on a clock.
class scheduler : public time_source {
 public:
  using task = std::function<void()>;
  /// Identifies a scheduled task; never 0.
  using timer_id = std::uint64_t;

  /// Runs `fn` on the scheduler's thread at (or soon after) `when`.
  virtual timer_id schedule_at(time_point when, task fn) = 0;

  /// Runs `fn` on the scheduler's thread as soon as possible.
  timer_id post(task fn) { return schedule_at(now(), std::move(fn)); }

  /// Cancels a task that has not started; true if it was still waiting.
  virtual bool cancel(timer_id id) noexcept = 0;
};

}  // namespace pendop::posix
