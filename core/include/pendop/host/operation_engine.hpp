// SPDX-License-Identifier: MIT
// `operation_engine`: the one implementation of ResApi's pending operations
// that every host adapts (the POSIX runner and monitor, the Win32 resource
// DLL, the OCF agent, the `pendop` command). For one resource it runs
//
//   start   Online/Offline: the pending report (CheckPoint 0), then the body
//           on a worker thread from the `worker_platform`; returns at once
//   report  the body's progress, numbered, moving the PendingTimeout deadline;
//           the channel's answer may be ResourceExitStateTerminate
//   stop    Terminate, PendingTimeout, Cancel, Close, force-down, shutdown:
//           latch once, wake the body, call the resource's terminate(),
//           wait `stop_wait`
//   settle  exactly one final report per operation, after every earlier one
//   zombie  a body that ignored its stop is abandoned and counted; nobody
//           waits for it again and it never reports
//   watch   with `deadline_timers`, its own PendingTimeout and operation
//           limit: a silent operation is stopped when its deadline passes
//
// The rules of one operation live in `resource_tracker`; this class adds the
// threads, the locking, the ordered delivery and the deadline's one
// enforcer. Hosts decide only what is theirs: where reports go
// (`report_channel`), whether a stop's final state is sent (a Resource
// Monitor that called Terminate decides the state itself:
// `final_report::withhold`), and what clock and call threads the deadline
// is watched with.
//
// Thread-safety: every member may be called from any thread. Reports reach
// the channel one at a time, in order, with no engine lock held. The channel
// may read the engine (state, pending, deadline, operation_id); it must not
// start, stop, fail or wait for operations, which wait for the delivery it
// is part of.
#pragma once

#include <pendop/host/deadline_timers.hpp>
#include <pendop/host/worker_platform.hpp>
#include <pendop/operation.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>
#include <pendop/started_operation.hpp>
#include <pendop/states.hpp>
#include <pendop/status_report.hpp>
#include <pendop/time.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pendop {

namespace detail {
struct engine_core;
}  // namespace detail

/// Where an engine sends status reports; the answer is SetResourceStatus's
/// (`terminate` asks the running operation to stop).
using report_channel = std::function<exit_state(const status_report&)>;

/// Where an engine writes what a person should read.
using engine_log = std::function<void(log_level, std::string_view)>;

/// How an engine is set up.
struct engine_options {
  /// The resource's name, in reports, thread names and messages.
  std::string name = "resource";
  /// The inactivity window of a pending operation.
  milliseconds pending_timeout = std::chrono::minutes(3);
  /// How long a stop waits for the body before abandoning it as a zombie.
  duration stop_wait = std::chrono::seconds(5);
  /// The state the resource starts in.
  resource_state initial_state = resource_state::offline;
  /// A limit on each whole operation besides PendingTimeout (a pendop
  /// extension: the host's own action timeout). nullopt: none.
  std::optional<duration> operation_limit{};
  /// Send what `start` decides as reports too: the pending report
  /// (CheckPoint 0), a start settled at once, a worker that failed to start.
  /// A resource DLL does not: its Online/Offline return value says it.
  bool report_start = true;
  /// Hears an Online resource's `failure_signal`: the id of the Online it
  /// came from (still the latest operation, and the resource still Online)
  /// and why. Null: the signals are inert.
  std::function<void(std::uint64_t operation, std::string why)> on_failure{};
  /// Timers on the platform's clock with which the engine enforces
  /// PendingTimeout and the operation limit itself. Null: the host calls
  /// `enforce_deadline` (or, as a resource DLL, leaves it to the Resource
  /// Monitor).
  std::shared_ptr<deadline_timers> timers{};
  /// How the timers meet a deadline (`deadline_tuning`).
  deadline_tuning deadline{};
};

/// Whether a stop's final report is sent.
enum class final_report {
  send,      ///< to the channel (POSIX hosts, Cancel)
  withhold,  ///< the caller decides the state itself (ResApi Terminate, Close)
};

/// Pending Online/Offline operations of one resource.
class operation_engine {
 public:
  /// Errors: `invalid_argument` for a null resource, platform or channel, a
  /// negative stop_wait or a non-positive PendingTimeout.
  static result<operation_engine> create(std::shared_ptr<resource> res,
                                         std::unique_ptr<worker_platform> platform,
                                         report_channel channel, engine_options options,
                                         engine_log log = {});

  operation_engine(operation_engine&&) noexcept;
  operation_engine& operator=(operation_engine&&) noexcept;
  operation_engine(const operation_engine&) = delete;
  operation_engine& operator=(const operation_engine&) = delete;
  /// Calls `shutdown()`.
  ~operation_engine();

  /// Starts Online or Offline; returns its id and the pending state at once
  /// (or the settled state when no work is needed). `done`, if given, gets
  /// the operation's final report once. Errors: `shutting_down` after
  /// `close`, `operation_pending`, `invalid_state`, `worker_start_failed`
  /// (the resource is then Failed, and `done` is called with that).
  /// `details` reach the body through `operation::details()`.
  result<started_operation> start(operation_kind kind, completion done = {},
                                  operation_details details = {});

  /// Waits up to `timeout` (real time) for the final report of operation
  /// `id` (also one the channel was not sent) and returns it. Errors:
  /// `invalid_argument` for an id never started or too old to be kept (the
  /// last 64 are), `wait_timeout` naming the state it is still in.
  result<status_report> wait(std::uint64_t id, duration timeout) const;

  /// ResApi Terminate with `why`. The first caller latches the stop, calls
  /// the resource's terminate() while the body may still run, waits up to
  /// `stop_wait` for the body and ends the operation (Failed after a
  /// PendingTimeout, else Offline). A caller that finds a stop in progress
  /// waits (up to `stop_wait`) for it to end. With nothing pending it calls
  /// terminate() and forces an Online resource Offline (Failed stays
  /// Failed). When it returns, nothing more is reported for the stopped
  /// operation.
  void terminate(stop_reason why, final_report f);

  /// Stops a pending operation as `terminate` does; false (and nothing done)
  /// when none is pending.
  bool stop_pending(stop_reason why, final_report f);

  /// Leaves the resource Offline whatever it was doing: stops a pending
  /// operation as `terminate` does, or with nothing pending calls
  /// terminate(); then an Online or Failed resource is Offline (reason
  /// `why`). For a host that must not leave a resource up after a failed
  /// Offline (an OCF stop may not fail).
  void force_down(stop_reason why, final_report f);

  /// ResApi Close: refuses every later start (`shutting_down`), stops a
  /// pending operation and takes an Online resource down (terminate(),
  /// reason `shutdown`), then releases the last worker. An Offline or Failed
  /// resource is left as it is, without a terminate() call.
  void close(final_report f);

  /// A failed health check or failure signal: Online -> Failed with `why`,
  /// then terminate(). With `online` (an Online's id, as `on_failure` gives
  /// it) the failure counts only while that Online is the latest operation
  /// and the resource still Online. True when recorded; false when already
  /// Failed (nothing done). Errors: `operation_pending`, `invalid_state`
  /// unless Online or Failed (or Online `online` has ended).
  result<bool> fail(std::string why, std::uint64_t online = 0);

  /// For a host without `timers`: when PendingTimeout (or the operation
  /// limit) has run out at the platform's now, stops the operation (reason
  /// `pending_timeout`, final state Failed, sent), waits up to `stop_wait`
  /// for the body (abandoning it as a zombie after that) and returns true.
  bool enforce_deadline();

  /// Changes PendingTimeout and the operation limit for operations started
  /// from now on (a pending one keeps the values it started with).
  /// `invalid_argument` for a non-positive PendingTimeout.
  result<void> set_limits(milliseconds pending_timeout, std::optional<duration> operation_limit);

  /// Refuses every later start with `shutting_down` (a host closing down
  /// that still waits for an operation it started).
  void refuse_starts();

  /// Refuses every later start, stops a pending operation with `shutdown`
  /// (final report sent) and releases the last worker. A settled resource
  /// keeps its state. True when it stopped an operation.
  bool shutdown();

  /// Waits up to `timeout` (real time) until no operation is pending, then
  /// up to `timeout` again until its final report has left the channel (a
  /// host's sink has it). From inside the channel it does not wait for the
  /// delivery in progress, its own.
  bool wait_idle(duration timeout);

  [[nodiscard]] resource_state state() const;
  [[nodiscard]] bool pending() const;
  /// The pending operation's deadline (PendingTimeout or the limit).
  [[nodiscard]] std::optional<time_point> deadline() const;
  /// Id of the current (or last) operation; 0 before the first.
  [[nodiscard]] std::uint64_t operation_id() const;
  [[nodiscard]] std::size_t zombies() const noexcept;
  /// Exceptions thrown by the channel (caught, counted, never propagated).
  [[nodiscard]] std::size_t channel_errors() const noexcept;
  [[nodiscard]] const std::string& name() const noexcept;
  [[nodiscard]] resource& subject() const noexcept;

 private:
  explicit operation_engine(std::shared_ptr<detail::engine_core> core) noexcept;
  // Drops the deadline checks and lets the last worker go (close, shutdown).
  void release();

  std::shared_ptr<detail::engine_core> core_;
};

}  // namespace pendop
