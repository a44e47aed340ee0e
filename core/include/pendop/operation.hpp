// SPDX-License-Identifier: MIT
// `operation`: what a resource's online()/offline() body gets to talk to its
// host: the ClusWorkerCheckTerminate flag, an interruptible sleep,
// SetResourceStatus with its RESOURCE_EXIT_STATE answer, and the host's log.
//
// Every host (the POSIX runner, the Win32 DLL adapter, test doubles)
// implements this interface, so one resource body runs unchanged on all.
//
// Thread-safety: all members may be called from the worker thread running
// the body, and `stop_requested`, `time_left` and `reason` from any thread.
#pragma once

#include <pendop/exit_state.hpp>
#include <pendop/failure_signal.hpp>
#include <pendop/log_level.hpp>
#include <pendop/operation_details.hpp>
#include <pendop/operation_kind.hpp>
#include <pendop/progress.hpp>
#include <pendop/stop_reason.hpp>
#include <pendop/time.hpp>

#include <string_view>

namespace pendop {

/// The running side of one pending Online or Offline.
class operation {
 public:
  virtual ~operation() = default;

  /// Which entry point is running.
  [[nodiscard]] virtual operation_kind kind() const noexcept = 0;

  /// True once the operation must end: Terminate was called, PendingTimeout
  /// ran out, the host is shutting down, or a report answered `terminate`.
  /// Poll it between steps (ClusWorkerCheckTerminate).
  [[nodiscard]] virtual bool stop_requested() const noexcept = 0;

  /// Sleeps for `d`, waking at once when stop is requested. Returns true
  /// after the full wait, false when stopped.
  virtual bool wait_for(duration d) noexcept = 0;

  /// Reports progress (SetResourceStatus with a pending state): increments
  /// the checkpoint and restarts the PendingTimeout window. Answers
  /// `terminate` once the operation must end; such a report changes nothing
  /// and the body should return at once.
  virtual exit_state report(const progress& p) = 0;

  /// Time left until the current PendingTimeout deadline (zero when past it
  /// or when stopped).
  [[nodiscard]] virtual duration time_left() const noexcept = 0;

  /// Why the operation was asked to stop (`none` while it has not been).
  [[nodiscard]] virtual stop_reason reason() const noexcept = 0;

  /// Why this operation runs: the cluster's flags and destination node where
  /// the host has them (ResApi V2), else empty.
  [[nodiscard]] virtual const operation_details& details() const noexcept {
    static const operation_details none{};
    return none;
  }

  /// For an Online: a handle that reports a later failure of the resource
  /// between health checks (see `failure_signal`); inert for an Offline and
  /// where the host has no way to hear it.
  [[nodiscard]] virtual failure_signal failure_reporter() const { return {}; }

  /// Writes a line to the host's log, naming the resource: LogEvent (the
  /// cluster log) in a resource DLL, the OCF log under Pacemaker, a `log`
  /// event of the monitor when embedded. Never throws; a host without a log
  /// drops the line.
  virtual void log(log_level level, std::string_view text) noexcept {
    (void)level;
    (void)text;
  }

 protected:
  operation() = default;
  operation(const operation&) = default;
  operation& operator=(const operation&) = default;
};

}  // namespace pendop
