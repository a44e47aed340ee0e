// SPDX-License-Identifier: MIT
// `monitor_event`: one entry of a monitor's structured event log: every
// status report, transition and decision (terminate, restart, deadlock, ...)
// with its time, resource, old and new state, checkpoint, reason and text.
// `to_json_line` renders one as a single JSON line for log files.
#pragma once

#include <pendop/progress.hpp>
#include <pendop/states.hpp>
#include <pendop/time.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

namespace pendop {

/// What a monitor event records.
enum class event_kind {
  added,               ///< a resource was added to the monitor
  removed,             ///< a resource was removed
  status,              ///< a status report (state, checkpoint, progress)
  request,             ///< an admin Online/Offline/Terminate was accepted
  rejected,            ///< a request was refused (detail says why)
  terminated,          ///< an operation was stopped (reason says why)
  looks_alive_failed,  ///< LooksAlive returned false: IsAlive follows at once
  is_alive_failed,     ///< IsAlive returned false: Failed + Terminate
  restart_scheduled,   ///< the restart policy will bring it online at a later time
  restart,             ///< an automatic Online started (restart or retry)
  escalated,           ///< RestartThreshold exceeded with restart_notify (fail over)
  gave_up,             ///< the restart policy leaves it Failed
  deadlock,            ///< an entry point outlasted DeadlockTimeout
  late_return,         ///< a deadlocked entry point returned after all
  zombie,              ///< a body ignored terminate and was abandoned
  shutdown,            ///< the monitor is shutting down
  shutdown_incomplete, ///< a resource did not stop within the shutdown bound
  reconfigured,        ///< its properties were changed (detail: the new ones, JSON)
  log,                 ///< a line the resource (or its runner) logged (detail: "level: text")
  failure_reported,    ///< an Online resource signalled its failure: Failed + Terminate
};

/// "added", "status", "looks_alive_failed", ...
[[nodiscard]] std::string_view to_string(event_kind k) noexcept;

/// One event of the log.
struct monitor_event {
  time_point at{};                       ///< on the monitor's clock
  std::string resource;                  ///< the resource's name
  event_kind kind = event_kind::status;
  resource_state from = resource_state::unknown;  ///< state before
  resource_state to = resource_state::unknown;    ///< state after
  /// The operation it belongs to: a status report's own; a `terminated`
  /// event's, the operation it stopped (0 when it stopped none, as after a
  /// failed health check); for other events the resource's latest operation
  /// (health checks: the Online that brought it up); 0 before the first.
  std::uint64_t operation = 0;
  std::uint32_t checkpoint = 0;          ///< CheckPoint of a status report
  stop_reason reason = stop_reason::none;
  pendop::progress progress;             ///< a status report's progress
  std::string detail;                    ///< decisions and errors, in words
  /// The error behind a failure, refusal, deadlock or failed health check
  /// (pendop's category, or the one a resource returned); empty otherwise.
  std::error_code error{};
};

/// Receives monitor events, in order, one at a time.
using event_sink = std::function<void(const monitor_event&)>;

/// One JSON object on one line (no trailing newline), with `t_ms` in
/// milliseconds since `epoch`:
/// {"t_ms":1500.0,"resource":"db","event":"status","from":"OnlinePending",
///  "to":"Online","operation":1,"checkpoint":5,"reason":"none","stage":"",
///  "percent":null,"text":"","detail":"","error":null}
/// `error` is {"category":"pendop","value":N} when the event has one.
[[nodiscard]] std::string to_json_line(const monitor_event& e, time_point epoch);

}  // namespace pendop
