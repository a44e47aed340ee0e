// SPDX-License-Identifier: MIT
// `resource_runner`: runs one `pendop::resource` the ResApi way on POSIX: the
// `operation_engine` on `worker` threads and a `time_source`.
//
//   auto op = runner.online();             // {id, OnlinePending} at once
//   auto fin = runner.wait(op->id, 5min);  // its final report: Online or Failed
// `online()`/`offline()` start the resource's body on a `worker` and return
// the pending state at once; the body's reports, and exactly one final
// report per operation, go to the `status_sink` in order.
//
//   runner.online()            -> OnlinePending now; the sink later gets
//                                 OnlinePending cp=1.., then Online (or Failed)
//   runner.terminate()         -> stop flag set, resource.terminate() called
//                                 (concurrently with the body), bounded wait,
//                                 then one final Offline report
//   PendingTimeout             -> with `timers`, the engine stops a silent
//                                 operation itself (reason pending_timeout,
//                                 final state Failed); without, the caller
//                                 polls check_pending_timeout()
//   runner.close()             -> ResApi Close: later starts refused, what
//                                 is pending or Online terminated
//
// After a stop every report answers `terminate` and changes nothing, and a
// late success is never reported as Online. A body that throws or returns an
// error ends in Failed with the text kept. A body that ignores terminate
// longer than `stop_wait` is abandoned and counted as a zombie; the caller
// never hangs.
//
// Thread-safety: every member may be called from any thread. Status reports
// are delivered from the worker and from the terminating thread, one at a
// time and in order, with no runner lock held. The sink may read the
// runner's state; it must not start or stop operations (online, offline,
// terminate, stop_pending, fail), which wait for deliveries it is part of.
#pragma once

#include <pendop/operation.hpp>
#include <pendop/posix/call_executor.hpp>
#include <pendop/posix/scheduler.hpp>
#include <pendop/posix/thread_lot.hpp>
#include <pendop/posix/time_source.hpp>
#include <pendop/properties.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>
#include <pendop/started_operation.hpp>
#include <pendop/states.hpp>
#include <pendop/status_report.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace pendop::posix {

namespace detail {
struct runner_state;
}  // namespace detail

/// How a runner with `timers` runs the stop at a PendingTimeout deadline
/// (the engine's `deadline_tuning`, with the executor it calls on). The
/// defaults suit every host; the monitor sets these for its call pool.
struct runner_tuning {
  /// Where a timed-out operation's terminate() is called (resource code, so
  /// never on the timers' thread). The stop does not wait there for the
  /// body: the body's return settles the operation, and if it has not
  /// returned `stop_wait` later (on the timers' clock) it is abandoned as a
  /// zombie. Null with `timers`: a small pool of the runner's own.
  std::shared_ptr<call_executor> stops{};
  /// How long before a deadline the timers hand the stop to a call thread,
  /// which waits for the deadline itself: the hand-off's wake-up is then not
  /// part of the stop's lateness. Zero: at the deadline. Keep it zero with a
  /// clock whose time moves only when told (a virtual one): the call thread
  /// would wait on it.
  duration stop_lead{};
  /// `stops` waits for each deadline itself (`call_executor::execute_at`):
  /// a thread of the executor sleeps until the deadline and stops the
  /// operation there, so no timer thread hands the stop over at its time.
  /// The executor waits on `std::chrono::steady_clock`, so set this only
  /// when `timers` run on that clock. An executor that cannot wait (its
  /// `execute_at` returns 0) leaves the deadline to `timers` and `stop_lead`.
  bool stops_wait_for_deadlines = false;
};

/// How a runner is set up.
struct runner_options {
  /// The resource's name, used in reports and thread names.
  std::string name = "resource";
  /// ResApi properties; the runner uses PendingTimeout.
  resource_properties properties{};
  /// How long `terminate` waits for a stopped body before abandoning its
  /// thread as a zombie.
  duration stop_wait = std::chrono::seconds(5);
  /// The clock; `timers` when null and those are set, else a steady clock.
  std::shared_ptr<time_source> clock{};
  /// Timers for the runner's own PendingTimeout (and operation limit): with
  /// them, a pending operation that stops reporting is stopped when its
  /// deadline passes, and nobody needs to call `check_pending_timeout`. A
  /// report only moves the deadline; the one timer re-checks when it fires.
  /// Null: the caller enforces the deadline. Must be `clock` when both are set.
  std::shared_ptr<scheduler> timers{};
  /// Where worker threads park between operations, so that the next
  /// operation starts without creating a thread (`thread_lot`). Null: a lot
  /// of this runner's own, with one place.
  std::shared_ptr<thread_lot> threads{};
  /// The state the resource starts in (a host that keeps state across
  /// processes, like an OCF agent, restores it here).
  resource_state initial_state = resource_state::offline;
  /// A limit on each whole operation besides PendingTimeout (the host's own
  /// action timeout); `check_pending_timeout` enforces both. nullopt: none.
  std::optional<duration> operation_limit{};
  /// Where the runner's own diagnostics and the body's `operation::log`
  /// lines go (the host's log). Null: dropped.
  std::function<void(log_level, std::string_view)> log{};
  /// Hears an Online resource's `failure_signal` (see `engine_options`):
  /// the Online's id and why. Null: the signals are inert.
  std::function<void(std::uint64_t operation, std::string why)> on_failure{};
  /// Where and how a timed-out operation is stopped (`runner_tuning`).
  runner_tuning tuning{};
};

/// Runs Online/Offline of one resource as pending operations.
class resource_runner {
 public:
  /// Errors from `create`: `invalid_argument` for a null resource or sink,
  /// `property_out_of_range` for bad properties.
  static result<resource_runner> create(std::shared_ptr<resource> res, status_sink sink,
                                        runner_options options = {});

  resource_runner(resource_runner&&) noexcept;
  resource_runner& operator=(resource_runner&&) noexcept;
  resource_runner(const resource_runner&) = delete;
  resource_runner& operator=(const resource_runner&) = delete;

  /// Stops a pending operation with reason `shutdown` (bounded by
  /// `stop_wait`) and joins the worker. A settled resource is left as it is.
  ~resource_runner();

  /// Starts Online; returns the operation's id and OnlinePending at once.
  /// `done`, if given, gets the operation's final report once (after the
  /// sink). Errors: `operation_pending` while an operation is pending,
  /// `invalid_state` when already Online, `worker_start_failed` (the
  /// resource is then Failed).
  result<started_operation> online(completion done = {});

  /// Starts Offline; OfflinePending at once (Offline, settled, for a resource
  /// that is Offline already). Errors as for `online`.
  result<started_operation> offline(completion done = {});

  /// Waits up to `timeout` (real time) for operation `id`'s final report.
  /// Errors: `wait_timeout` (naming the state it is still in),
  /// `invalid_argument` for an id this runner never started.
  result<status_report> wait(std::uint64_t id, duration timeout) const;

  /// ResApi Terminate: stops the pending operation with `why`, calls the
  /// resource's terminate(), waits up to `stop_wait` for the body, and
  /// reports the final state (Failed for `pending_timeout`, else Offline).
  /// With nothing pending it forces an Online resource Offline. A caller
  /// that finds a stop in progress waits (up to `stop_wait`) for it to end,
  /// so every caller returns with the operation over.
  void terminate(stop_reason why = stop_reason::terminate_called);

  /// Changes PendingTimeout and the operation limit for operations started
  /// from now on; a pending operation keeps its own. Errors:
  /// `property_out_of_range` for a PendingTimeout outside 10..0xFFFFFFFF ms.
  result<void> set_limits(milliseconds pending_timeout, std::optional<duration> operation_limit);

  /// Refuses every later online()/offline() with `errc::shutting_down` (a
  /// host closing down that still waits for an operation it started).
  void refuse_starts();

  /// ResApi Close: refuses every later start, stops a pending operation and
  /// takes an Online resource down (terminate(), reason `shutdown`, final
  /// report sent), then lets the last worker go. An Offline or Failed
  /// resource is left as it is.
  void close();

  /// Refuses every later start and stops a pending operation (reason
  /// `shutdown`); a settled resource keeps its state. True when it stopped
  /// an operation.
  bool shutdown();

  /// Waits up to `timeout` until no operation is pending (a stop owned by
  /// another thread has made its final report). True when idle.
  bool wait_idle(duration timeout);

  /// Stops a pending operation with `why` exactly as `terminate` does;
  /// returns false (and does nothing) when none is pending. Unlike
  /// `terminate`, a settled resource is left as it is.
  bool stop_pending(stop_reason why);

  /// Leaves the resource Offline whatever it is doing: a pending operation
  /// is stopped as by `terminate`, or terminate() is called; an Online or
  /// Failed resource then reports Offline. For a stop that must not fail.
  void force_down(stop_reason why = stop_reason::terminate_called);

  /// Records a failed health check (IsAlive returned false) or a failure
  /// signal: the resource goes Online -> Failed with `why` in a final
  /// report, then its terminate() is called. With `online` (the id
  /// `on_failure` gave) it counts only while that Online is the latest
  /// operation and the resource still Online. True when recorded, false
  /// when already Failed (nothing done). Errors: `operation_pending` while
  /// an operation is pending, `invalid_state` unless Online or Failed (or
  /// that Online has ended).
  result<bool> fail(std::string why, std::uint64_t online = 0);

  /// Enforces PendingTimeout (and the operation limit) at the clock's now:
  /// when the window has run out, terminates with `pending_timeout` and
  /// returns true. Runners with `timers` do this themselves.
  bool check_pending_timeout();

  /// The resource's state.
  [[nodiscard]] resource_state state() const;

  /// The PendingTimeout deadline of the pending operation, if any.
  [[nodiscard]] std::optional<time_point> pending_deadline() const;

  /// Bodies abandoned because they ignored terminate.
  [[nodiscard]] std::size_t zombies() const noexcept;

  /// Exceptions thrown by the sink (caught and counted, never propagated).
  [[nodiscard]] std::size_t sink_errors() const noexcept;

  /// The resource's name.
  [[nodiscard]] const std::string& name() const noexcept;

 private:
  explicit resource_runner(std::shared_ptr<detail::runner_state> state) noexcept;

  std::shared_ptr<detail::runner_state> state_;
};

}  // namespace pendop::posix
