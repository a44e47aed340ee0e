// SPDX-License-Identifier: MIT
// `restart_policy`: what the cluster's resource control manager does after a
// resource fails (docs/resapi.md, "Properties and timeouts"), as a pure
// function of the failure history. It never reads a clock; the caller
// passes `now`.
//
//   RestartAction dont_restart           -> stay Failed
//   failures within RestartPeriod <= RestartThreshold
//                                        -> restart after RestartDelay
//   more than RestartThreshold           -> escalate (restart_notify: the group
//                                           would fail over; restart_no_notify:
//                                           it would not), then stay Failed for
//                                           RetryPeriodOnFailure and make one more
//                                           attempt (never, when it is 0xFFFFFFFF)
//   that retry fails before Online       -> stay Failed until an admin Online
//
// "Within RestartPeriod" is the half-open window (now - RestartPeriod, now]:
// with threshold 2 and period 200 ms, failures at 0, 100 and 199 ms escalate;
// at 0, 100 and 200 ms the first has left the window and the third restarts.
//
// Not thread-safe; the owner serialises calls.
#pragma once

#include <pendop/properties.hpp>
#include <pendop/time.hpp>

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace pendop {

/// What to do about one failure.
struct restart_decision {
  enum class action {
    restart,      ///< bring the resource online again at `at`
    retry_later,  ///< threshold used up: one more attempt at `at` (after RetryPeriodOnFailure)
    stay_failed,  ///< no automatic attempt; an admin Online is needed
  };
  action what = action::stay_failed;
  time_point at{};                  ///< when to attempt Online (restart, retry_later)
  bool escalate = false;            ///< threshold exceeded with restart_notify: fail over
  std::size_t failures_in_period = 0;  ///< failures inside RestartPeriod, this one included
  std::string why;                  ///< one line for people and logs
};

/// "restart", "retry_later" or "stay_failed".
[[nodiscard]] std::string_view to_string(restart_decision::action a) noexcept;

/// The restart policy of one resource.
class restart_policy {
 public:
  explicit restart_policy(const resource_properties& p) noexcept : props_(p) {}

  /// The resource failed at `now` (IsAlive false, Online failed, PendingTimeout).
  [[nodiscard]] restart_decision on_failure(time_point now);

  /// The resource reached Online: a pending retry counts as successful.
  void on_online() noexcept { retry_pending_ = false; }

  /// An admin action (Online or Offline by request): forget the history.
  void reset() noexcept {
    failures_.clear();
    retry_pending_ = false;
  }

  /// Failures inside the window ending at `now`.
  [[nodiscard]] std::size_t failures_in_period(time_point now) const noexcept;

  /// Replaces the properties (the history is kept).
  void set_properties(const resource_properties& p) noexcept { props_ = p; }

 private:
  void prune(time_point now);

  resource_properties props_;
  std::deque<time_point> failures_;
  bool retry_pending_ = false;  // a retry_later attempt has been decided and not yet succeeded
};

}  // namespace pendop
