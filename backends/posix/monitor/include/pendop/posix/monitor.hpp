// SPDX-License-Identifier: MIT
// `monitor`: the Resource Monitor half of ResApi (what rhs.exe and the
// cluster's resource control manager do), embeddable in any C++ service.
// It hosts many resources, each run by a `resource_runner`, and enforces:
//
//  * PendingTimeout: an inactivity timer armed when an operation goes
//    pending and moved by every report (each runner keeps one timer on the
//    monitor's scheduler); on expiry the operation is stopped with reason
//    `pending_timeout` (the resource's terminate() runs while the body may
//    still run) and the resource ends Failed. OperationLimit (a pendop
//    extension) bounds a whole operation the same way;
//  * health: LooksAlive every LooksAlivePollInterval and IsAlive every
//    IsAlivePollInterval while Online (never while pending or offline);
//    LooksAlive false runs IsAlive at once; IsAlive false means Failed, then
//    Terminate, then the restart policy;
//  * the restart policy (RestartAction, RestartThreshold within
//    RestartPeriod, RestartDelay, RetryPeriodOnFailure);
//  * deadlock detection: LooksAlive, IsAlive, Terminate and starting an
//    automatic Online run on a `call_executor`, never on the monitor's own
//    thread; one that outlasts DeadlockTimeout is reported with the entry
//    point's name and the resource is quarantined (no polling, no
//    restarts) until an admin Online;
//  * zombies (bodies that ignored terminate) are counted per resource;
//  * `shutdown` takes every Online resource offline (for up to half its
//    bound), terminates what is pending (reason `shutdown`) or too slow to
//    go offline, and says what ended how and what may still run.
//
// Every transition and decision becomes a `monitor_event` for the
// subscribers (`to_json_line` renders JSON lines). Resources are added,
// reconfigured (`set_properties`) and removed while the monitor runs.
//
// Thread-safety: every member may be called from any thread. Events reach
// subscribers one at a time, in order; a subscriber may query the monitor
// but should not block.
#pragma once

#include <pendop/monitor_event.hpp>
#include <pendop/posix/call_executor.hpp>
#include <pendop/posix/scheduler.hpp>
#include <pendop/posix/subscription.hpp>
#include <pendop/properties.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>
#include <pendop/started_operation.hpp>
#include <pendop/states.hpp>
#include <pendop/status_report.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pendop::posix {

namespace detail {
struct monitor_core;
}  // namespace detail

/// How a monitor is set up.
struct monitor_options {
  /// Timers, and the clock of every hosted runner (the same name and type
  /// as `runner_options::timers`); an `asio_scheduler` when null.
  std::shared_ptr<scheduler> timers{};
  /// Where calls into resources run; a `thread_pool_executor` when null.
  std::shared_ptr<call_executor> executor{};
  /// How long a terminate waits for a stopped body before abandoning it.
  duration stop_wait = std::chrono::seconds(5);
  /// Health polls that fall due within one slice of this length (at most an
  /// eighth of the poll interval) run together, on one timer wake-up and one
  /// call thread: a poll is never early and at most one slice late. Zero:
  /// every poll at its exact time.
  duration poll_slack = std::chrono::milliseconds(100);
  /// Each runner's `stop_lead`: how long before a PendingTimeout deadline a
  /// call thread is woken to wait for it and stop the operation on time.
  /// Used only where the executor cannot wait for the deadline itself: with
  /// the monitor's own timers and an executor whose `execute_at` works (the
  /// default pool), a pool thread sleeps until the deadline and no lead is
  /// needed. Unset: 500 µs with the monitor's own Asio timers, zero with
  /// `timers` given (which may be virtual).
  std::optional<duration> stop_lead{};
  /// Grow the process's futex hash as the monitor's worker threads double
  /// (about two buckets per thread; Linux 6.16+, nothing elsewhere). For a
  /// monitor with thousands of operations pending at once: with 16 buckets
  /// every wake-up walks hundreds of waiters. Off by default, since the hash
  /// belongs to the whole process, not to the monitor.
  bool grow_futex_hash = false;
};

/// What the monitor knows about one resource.
struct resource_diagnostics {
  std::string name;
  resource_state state = resource_state::unknown;
  resource_properties properties;
  std::size_t terminates = 0;          ///< operations stopped (any reason)
  std::size_t failures = 0;            ///< times it became Failed
  std::size_t restarts = 0;            ///< automatic Online attempts
  std::size_t looks_alive_failures = 0;
  std::size_t is_alive_failures = 0;
  std::size_t deadlocks = 0;           ///< entry points that outlasted DeadlockTimeout
  std::size_t zombies = 0;             ///< bodies abandoned after ignoring terminate
  bool quarantined = false;            ///< after a deadlock: no polling, no restarts
  std::optional<time_point> pending_deadline;  ///< PendingTimeout deadline, while pending
  std::optional<time_point> next_restart;      ///< when the restart policy will try Online
  std::string last_error;              ///< text of the last failure
};

/// What `monitor::shutdown` does with resources that are Online.
enum class online_at_shutdown {
  take_offline,   ///< run their Offline (bounded), then Terminate what is left
  leave_running,  ///< leave them Online (the host keeps them, on purpose)
};

/// The outcome of `monitor::shutdown`.
struct shutdown_report {
  std::vector<std::string> stopped;        ///< every resource that is down, in time
  std::vector<std::string> taken_offline;  ///< of those: Online ones whose Offline completed
  std::vector<std::string> terminated;     ///< of those: pending work (or an Offline too slow) stopped by Terminate
  std::vector<std::string> not_stopped;    ///< still stopping when the bound ran out: may still run
  std::size_t zombies = 0;                 ///< bodies abandoned, over all resources
  [[nodiscard]] bool complete() const noexcept { return not_stopped.empty(); }
};

/// Hosts resources and enforces ResApi's timing and recovery rules.
class monitor {
 public:
  /// Errors: `invalid_argument` for a negative stop_wait.
  static result<monitor> create(monitor_options options = {});

  monitor(monitor&&) noexcept;
  monitor& operator=(monitor&&) noexcept;
  monitor(const monitor&) = delete;
  monitor& operator=(const monitor&) = delete;
  /// Shuts down (bounded by stop_wait) if `shutdown` was not called; once
  /// it returns, no subscriber is called again, even by calls the shutdown
  /// had to abandon. Must not run inside a subscriber.
  ~monitor();

  /// Adds a resource, Offline. Errors: `invalid_argument` (empty name, null
  /// resource), `duplicate_resource`, `property_out_of_range`, `shutting_down`.
  result<void> add(std::string name, std::shared_ptr<resource> res,
                   resource_properties properties = {});

  /// Changes a resource's properties while it runs, with a `reconfigured`
  /// event. PendingTimeout and OperationLimit apply from the next Online or
  /// Offline; the poll intervals from now (the next LooksAlive/IsAlive is
  /// one new interval away); DeadlockTimeout from the next call; the restart
  /// policy from the next failure (the failure history is kept). Errors:
  /// `unknown_resource`, `property_out_of_range` (naming the resource and the
  /// property; nothing changes), `shutting_down`.
  result<void> set_properties(std::string_view name, const resource_properties& properties);

  /// Removes a resource, as ResApi's Close: a pending operation or an Online
  /// resource is terminated first (reason `shutdown`, bounded by stop_wait),
  /// its timers are cancelled and a `removed` event follows; its name may be
  /// added again. Errors: `unknown_resource`, `shutting_down`.
  result<void> remove(std::string_view name);

  /// Admin Online: clears the restart history and any quarantine, cancels a
  /// scheduled restart, and starts Online; the operation's id and
  /// OnlinePending at once. `done`, if given, gets the operation's final
  /// report once, after the subscribers' events. Errors:
  /// `unknown_resource`, `operation_pending`, `invalid_state` (already
  /// Online), `shutting_down`.
  result<started_operation> online(std::string_view name, completion done = {});

  /// Admin Offline; OfflinePending at once (errors as for `online`).
  result<started_operation> offline(std::string_view name, completion done = {});

  /// Waits up to `timeout` (real time) for the final report of `operation`
  /// (an id from `online`/`offline`, or from an event) and returns it. No
  /// polling. Errors: `unknown_resource`, `wait_timeout`, `invalid_argument`
  /// for an id the resource never started. With a `virtual_scheduler`,
  /// another thread must move time meanwhile.
  [[nodiscard]] result<status_report> wait(std::string_view name, std::uint64_t operation,
                                           duration timeout) const;

  /// Admin Terminate (forced offline). Errors: `unknown_resource`, `shutting_down`.
  result<void> terminate(std::string_view name);

  /// The resource's state. Errors: `unknown_resource`.
  [[nodiscard]] result<resource_state> state(std::string_view name) const;

  /// Waits until the resource has no pending operation (its Online or
  /// Offline reached its final state), for at most `timeout` of real time,
  /// and returns that state; no polling. Errors: `unknown_resource`,
  /// `wait_timeout` (naming the state it is still in). With a
  /// `virtual_scheduler`, another thread must move time meanwhile.
  [[nodiscard]] result<resource_state> wait_settled(std::string_view name, duration timeout) const;

  /// Counters and timers of one resource (its current properties too).
  /// Errors: `unknown_resource`.
  [[nodiscard]] result<resource_diagnostics> diagnostics(std::string_view name) const;

  /// Names of every resource, sorted.
  [[nodiscard]] std::vector<std::string> resources() const;

  /// Adds an event subscriber. The subscription lasts as long as the
  /// returned handle: keep it (a discarded handle unsubscribes at once).
  [[nodiscard]] subscription subscribe(event_sink sink);

  /// Removes a subscriber by id (`subscription::id()`). Once this returns
  /// (from outside a subscriber), the sink is not called again.
  void unsubscribe(std::uint64_t id);

  /// Stops all timers, takes every Online resource offline (up to half of
  /// `bound`), stops every pending operation, and an Offline that outlasts
  /// its half, with reason `shutdown` (Terminate); waits up to `bound` and
  /// reports what went offline, what was terminated and what did not stop.
  /// Before it returns (from outside a subscriber), every event up to the
  /// last final state it waited for has reached the subscribers, even when
  /// another thread was delivering. Later requests fail with
  /// `shutting_down`. Idempotent.
  shutdown_report shutdown(duration bound = std::chrono::seconds(10),
                           online_at_shutdown online = online_at_shutdown::take_offline);

  /// The time the monitor was created, on its clock (for `to_json_line`).
  [[nodiscard]] time_point epoch() const noexcept;

 private:
  explicit monitor(std::shared_ptr<detail::monitor_core> core) noexcept;
  std::shared_ptr<detail::monitor_core> core_;
};

}  // namespace pendop::posix
