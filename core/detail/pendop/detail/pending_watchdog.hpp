// SPDX-License-Identifier: MIT
// `pending_watchdog`: PendingTimeout as ResApi defines it, an *inactivity*
// timer between status reports, not a cap on the whole operation (docs/resapi.md,
// "Pending operations": a DLL that keeps reporting inside the window may
// stay pending indefinitely).
//
// Sans-I/O: it never reads a clock. The owner passes `now` to every call and
// asks for `deadline()` to arm its own timer. Not thread-safe; the owner
// serialises calls.
#pragma once

#include <pendop/time.hpp>

#include <optional>

namespace pendop {

/// The PendingTimeout inactivity timer of one resource.
class pending_watchdog {
 public:
  /// ResApi's default PendingTimeout: 180 000 ms.
  static constexpr milliseconds default_timeout{180'000};

  /// What `poll` found.
  enum class status {
    idle,     ///< not armed (no pending operation)
    running,  ///< armed, deadline not reached
    expired,  ///< the deadline passed; reported once, then the watchdog is idle
  };

  explicit pending_watchdog(milliseconds timeout = default_timeout) noexcept : timeout_(timeout) {}

  /// Starts timing a pending operation at `now` (re-arms if already armed).
  void arm(time_point now) noexcept { deadline_ = now + timeout_; }

  /// A status report arrived at `now`: the window starts again. Ignored
  /// when not armed (a report after expiry must not revive the timer).
  void on_report(time_point now) noexcept {
    if (deadline_) deadline_ = now + timeout_;
  }

  /// The operation ended (completed, failed or stopped): stop timing.
  void disarm() noexcept { deadline_.reset(); }

  /// Expiry check. At exactly the deadline the timer has expired. `expired`
  /// is answered once; afterwards the watchdog is idle until armed again.
  [[nodiscard]] status poll(time_point now) noexcept {
    if (!deadline_) return status::idle;
    if (now < *deadline_) return status::running;
    deadline_.reset();
    return status::expired;
  }

  /// When the current window ends, or nullopt when idle.
  [[nodiscard]] std::optional<time_point> deadline() const noexcept { return deadline_; }

  /// Time left in the window at `now` (zero when idle or past the deadline).
  [[nodiscard]] duration time_left(time_point now) const noexcept {
    if (!deadline_ || now >= *deadline_) return duration::zero();
    return *deadline_ - now;
  }

  [[nodiscard]] bool armed() const noexcept { return deadline_.has_value(); }
  [[nodiscard]] milliseconds timeout() const noexcept { return timeout_; }

  /// Changes PendingTimeout; an armed window keeps its current deadline
  /// until the next report.
  void set_timeout(milliseconds timeout) noexcept { timeout_ = timeout; }

 private:
  milliseconds timeout_;
  std::optional<time_point> deadline_;
};

}  // namespace pendop
