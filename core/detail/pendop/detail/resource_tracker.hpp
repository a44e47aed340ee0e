// SPDX-License-Identifier: MIT
// `resource_tracker`: the sans-I/O heart of every host. It holds one
// resource's state, its current pending operation, the checkpoint counter
// and the PendingTimeout watchdog, and it makes every status report. It
// keeps the rules of docs/resapi.md by construction:
//
//  * an Online/Offline starts only where the state machine accepts it, and
//    a second one while one is pending is refused;
//  * every report of an operation carries checkpoint+1;
//  * once a stop is requested, every report answers `terminate` and changes
//    nothing, and the worker's own completion is dropped: the final report
//    comes from `settle()`, called by whoever requested the stop;
//  * exactly one final report per operation, and nothing from a stale
//    worker (operation ids tell operations apart).
//
// It never reads a clock and owns no threads: the host passes `now`, calls
// it under its own lock, and delivers the returned reports to its sink.
#pragma once

#include <pendop/detail/pending_watchdog.hpp>
#include <pendop/progress.hpp>
#include <pendop/result.hpp>
#include <pendop/states.hpp>
#include <pendop/status_report.hpp>
#include <pendop/time.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace pendop {

/// State, pending operation and reports of one resource. Not thread-safe.
class resource_tracker {
 public:
  /// A tracker for resource `name` in state `initial`.
  explicit resource_tracker(std::string name,
                            milliseconds pending_timeout = pending_watchdog::default_timeout,
                            resource_state initial = resource_state::offline);

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] resource_state state() const noexcept { return state_; }

  /// Id of the current (or last) operation; 0 before the first.
  [[nodiscard]] std::uint64_t operation_id() const noexcept { return op_id_; }

  /// True while an operation is pending (including while it is being stopped).
  [[nodiscard]] bool pending() const noexcept { return op_active_; }

  /// Starts an Online or Offline at `now`. On success the returned report is
  /// the pending report (checkpoint 0) and the watchdog is armed; when the
  /// request needs no work (Offline of an Initializing resource) the report
  /// is already final and no operation is pending. Errors: `operation_pending`
  /// while one is pending, `invalid_state` where the state machine rejects.
  [[nodiscard]] result<status_report> begin(operation_kind kind, time_point now);

  /// The answer to a progress report, and the report to deliver, if any.
  struct report_outcome {
    exit_state answer;
    std::optional<status_report> report;
  };

  /// Progress from the worker of operation `id`. Answers `terminate` (and
  /// makes no report) when `id` is not the pending operation or a stop was
  /// requested.
  [[nodiscard]] report_outcome report(std::uint64_t id, const progress& p, time_point now);

  /// What a progress report says besides the worker's words. A host takes
  /// it under its lock (`note_progress`) and writes the report itself outside it
  /// (`write_progress`), into a record it reuses.
  struct progress_stamp {
    std::uint64_t operation = 0;
    operation_kind kind = operation_kind::online;
    resource_state state = resource_state::unknown;
    std::uint32_t checkpoint = 0;
    time_point at{};
  };

  /// `report` without the report: counts the checkpoint and moves the
  /// PendingTimeout deadline. Nothing when the worker must stop.
  [[nodiscard]] std::optional<progress_stamp> note_progress(std::uint64_t id, time_point now) {
    if (stop_requested(id)) return std::nullopt;
    ++checkpoint_;
    watchdog_.on_report(now);
    return progress_stamp{op_id_, op_kind_, state_, checkpoint_, now};
  }

  /// Writes the progress report `s` with the worker's words `p` into `out`,
  /// reusing `out`'s storage. Clamps the percentage to 0..100. `out` must be
  /// a progress report already (made by `write_progress`, or default-made
  /// with its `resource` set): `final`, `reason` and the error fields, the
  /// same in every progress report, are left as they are.
  static void write_progress(status_report& out, const progress_stamp& s,
                             const pendop::progress& p) {
    out.operation = s.operation;
    out.kind = s.kind;
    out.state = s.state;
    out.checkpoint = s.checkpoint;
    keep_text(out.progress.stage, p.stage);
    out.progress.percent = p.percent;
    if (p.percent) out.progress.percent = std::clamp(*p.percent, 0, 100);
    keep_text(out.progress.text, p.text);
    out.progress.wait_hint = p.wait_hint;
    out.at = s.at;
  }

  /// The worker of operation `id` returned `r`. Makes the final report
  /// (Online/Offline on success, Failed with the error otherwise), unless the
  /// operation is stale or being stopped, in which case it returns nothing.
  [[nodiscard]] std::optional<status_report> finish(std::uint64_t id, const result<void>& r,
                                                    time_point now);

  /// What `request_stop` did.
  enum class stop_outcome {
    started,           ///< the caller owns the stop and must call `settle`
    already_stopping,  ///< another caller owns it; nothing to do
    nothing_pending,   ///< no operation is pending
  };

  /// Latches a stop of the pending operation with `why` (not `none`). From
  /// now on reports answer `terminate` and the watchdog is disarmed.
  [[nodiscard]] stop_outcome request_stop(stop_reason why) noexcept;

  /// True when operation `id` must end (stale ids included).
  [[nodiscard]] bool stop_requested(std::uint64_t id) const noexcept {
    return id != op_id_ || !op_active_ || stop_ != stop_reason::none;
  }

  /// Why operation `id` is stopping (`none` if it is not; `shutdown` for stale ids).
  [[nodiscard]] stop_reason reason(std::uint64_t id) const noexcept;

  /// Ends the stopped operation: the final report (Failed after a
  /// PendingTimeout, Offline otherwise), with `note` as its error text (for
  /// instance that the worker had to be abandoned). Without a pending
  /// operation it applies Terminate to the settled state (Online -> Offline)
  /// and reports only if the state changed.
  [[nodiscard]] std::optional<status_report> settle(stop_reason why, time_point now,
                                                    std::string note = {});

  /// With no operation pending, after the resource's terminate(): Offline
  /// whatever the settled state was, Failed included (`forced_down`), as a
  /// final report outside any operation with reason `why`. Nothing when
  /// Offline already or while an operation is pending.
  [[nodiscard]] std::optional<status_report> force_down(stop_reason why, time_point now);

  /// A health check failed at `now` while no operation is pending (IsAlive
  /// returned false): Online -> Failed, reported as a final report outside
  /// any operation with `why` as its text. Nothing when already Failed.
  /// Errors: `operation_pending` while an operation is pending,
  /// `invalid_state` when the resource is not Online.
  [[nodiscard]] result<std::optional<status_report>> fail(std::string why, time_point now);

  /// True, once, when the PendingTimeout window has run out at `now` for an
  /// operation not already stopping. The caller then stops it with
  /// `stop_reason::pending_timeout`.
  [[nodiscard]] bool poll_timeout(time_point now) noexcept;

  /// The nearer of the PendingTimeout deadline and the operation limit
  /// (nullopt when no operation is timed).
  [[nodiscard]] std::optional<time_point> deadline() const noexcept;

  /// Time left until `deadline()` at `now`; zero when none is armed or past it.
  [[nodiscard]] duration time_left(time_point now) const noexcept;

  /// Changes PendingTimeout for the next window.
  void set_pending_timeout(milliseconds t) noexcept { watchdog_.set_timeout(t); }

  /// A limit on each whole operation, on top of PendingTimeout's inactivity
  /// window: operations begun from now on also time out `limit` after they
  /// began, however often they report (a host such as Pacemaker gives each
  /// action a fixed timeout). nullopt: no such limit (ResApi's own model).
  void set_operation_limit(std::optional<duration> limit) noexcept { op_limit_ = limit; }

 private:
  // Most workers repeat their stage and text from report to report: those
  // are compared, not copied.
  static void keep_text(std::string& to, const std::string& from) {
    if (to.size() != from.size() || to.compare(from) != 0) to.assign(from);
  }

  status_report make_report(resource_state s, time_point now);

  std::string name_;
  resource_state state_;
  pending_watchdog watchdog_;
  std::optional<duration> op_limit_;
  std::optional<time_point> op_deadline_;  // begin + op_limit_, while an operation is timed
  std::uint64_t op_id_ = 0;
  operation_kind op_kind_ = operation_kind::online;
  bool op_active_ = false;
  stop_reason stop_ = stop_reason::none;
  std::uint32_t checkpoint_ = 0;
};

}  // namespace pendop
