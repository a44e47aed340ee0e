// SPDX-License-Identifier: MIT
// `engine_core`: everything an `operation_engine` shares with its workers
// and timers (private to the core). operation_engine.cpp runs operations
// and stops; deadline_watch.cpp watches their deadlines.
#pragma once

#include <pendop/detail/resource_tracker.hpp>
#include <pendop/host/operation_engine.hpp>

#include "deadline_watch.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace pendop::detail {

// Everything an engine shares with its workers. A worker holds a reference,
// so an abandoned (zombie) body never touches freed memory.
//
// Locks, always taken in this order and never while resource code runs
// (terminate() excepted, under control_mu, as the owner of a stop):
//   control_mu  serialises the platform's owner operations (start, wait,
//               abandon); held by a stopper while it waits for the body
//   mu          guards `tracker`, the stop's driver, the delivery tickets;
//               brief, and never held while the channel runs
// `watch`'s own lock is taken with neither held by the watch itself, or
// under control_mu by a stopper whose final report is delivered.
struct engine_core : std::enable_shared_from_this<engine_core> {
  // Who ends a latched stop.
  enum class driver {
    none,
    caller,  // a terminate/stop_pending/force_down/close caller: it settles
    body,    // the channel answered terminate: the worker settles on return
    timer,   // expire() stopped it: settled by whichever of the body's return
             // and expire()'s terminate() comes last, or by reap_overdue()
  };

  engine_core(std::shared_ptr<resource> r, std::unique_ptr<worker_platform> p, report_channel c,
              engine_options o, engine_log l)
      : res(std::move(r)),
        platform(std::move(p)),
        channel(std::move(c)),
        log(std::move(l)),
        options(std::move(o)),
        tracker(options.name, options.pending_timeout, options.initial_state),
        watch(options.timers, options.stop_wait, options.deadline),
        light_turns(platform->has_process_fence()) {
    tracker.set_operation_limit(options.operation_limit);
    progress_record.resource = options.name;
  }

  void write(log_level level, std::string_view text) const noexcept {
    if (!log || text.empty()) return;
    try {
      log(level, text);
    } catch (...) {
      // A log that fails has nowhere to report it.
    }
  }

  // Delivers `r` (if any) after every report ticketed before it and returns
  // the channel's answer. With `barrier` and no report it still waits for the
  // earlier deliveries. Takes `lk` (on mu) locked, returns with it unlocked.
  // The ticket is taken under the lock the caller already holds; the turn
  // ends without it. With no delivery in flight (the common case: one
  // reporting body) nobody waits, nobody is woken and mu is taken once.
  exit_state deliver(std::unique_lock<std::mutex>& lk, std::optional<status_report>&& r,
                     bool barrier = false) {
    if (!r && !barrier) {
      lk.unlock();
      return exit_state::proceed;
    }
    return deliver_in_turn(lk, next_ticket++, std::move(r));
  }

  // `deliver` with a ticket taken earlier (under mu, as always).
  exit_state deliver_in_turn(std::unique_lock<std::mutex>& lk, std::uint64_t ticket,
                             std::optional<status_report>&& r) {
    await_turn(lk, ticket);
    exit_state answer = exit_state::proceed;
    if (r) {
      answer = call_channel(*r);
      if (r->final) watch.settled(*this);  // its deadline needs no check now
    }
    end_turn(ticket);
    return answer;
  }

  // A worker's progress report, stamped under mu by the tracker: written
  // into `progress_record` in its turn (no report is built, moved or freed
  // on this path, the hottest of all) and delivered. Takes `lk` locked,
  // returns with it unlocked.
  exit_state deliver_progress(std::unique_lock<std::mutex>& lk,
                              const resource_tracker::progress_stamp& stamp, const progress& p) {
    const std::uint64_t ticket = next_ticket++;
    await_turn(lk, ticket);
    resource_tracker::write_progress(progress_record, stamp, p);
    const exit_state answer = call_channel(progress_record);
    end_turn(ticket);
    return answer;
  }

  // (mu held by `lk`) Waits until every delivery ticketed before `ticket`
  // is over, then lets mu go: the turn is the caller's.
  void await_turn(std::unique_lock<std::mutex>& lk, std::uint64_t ticket) {
    if (delivered.load() != ticket) {
      announce_waiter();
      channel_turn.wait(lk, [&] { return delivered.load() == ticket; });
      turn_waiters.fetch_sub(1);
    }
    lk.unlock();
  }

  // (mu held) Counts the caller among the turn's waiters before it reads
  // `delivered`. The two pair with end_turn's store and load as fences do:
  // either the waiter sees the turn over, or the turn's end sees the waiter
  // and wakes it. With light turns, end_turn has no fence of its own and
  // this side fences every thread of the process instead.
  void announce_waiter() {
    turn_waiters.fetch_add(1);
    if (light_turns) platform->process_fence();
  }

  // (in the turn) The channel's answer to `r`; a channel that throws is
  // counted and answered `proceed`.
  exit_state call_channel(const status_report& r) noexcept {
    exit_state answer = exit_state::proceed;
    channel_thread.store(std::this_thread::get_id(), std::memory_order_relaxed);
    try {
      answer = channel(r);
    } catch (...) {
      channel_errors.fetch_add(1, std::memory_order_relaxed);
    }
    channel_thread.store(std::thread::id{}, std::memory_order_relaxed);
    return answer;
  }

  // Ends the turn of `ticket` and wakes the deliveries waiting for theirs.
  void end_turn(std::uint64_t ticket) {
    // The store and the load are ordered (a full fence between them, or the
    // waiter's process fence): a delivery waiting for the next turn either
    // sees it in its predicate or is counted here, and then it is inside its
    // wait (it holds mu until then) by the time mu is ours.
    if (light_turns) {
      delivered.store(ticket + 1, std::memory_order_release);
      std::atomic_signal_fence(std::memory_order_seq_cst);
    } else {
      delivered.store(ticket + 1);
    }
    if (turn_waiters.load() != 0) {
      { std::lock_guard turn_over(mu); }
      channel_turn.notify_all();
    }
  }

  // (mu held by `lk`) Waits until every report ticketed so far has left the
  // channel: an operation is over for its host once its final report is
  // out, not when the tracker has ended it. False when `timeout` passes
  // first. Inside the channel (a host waiting from its sink) it returns at
  // once: the delivery in progress is the caller's own.
  bool await_delivered(std::unique_lock<std::mutex>& lk, duration timeout) {
    const std::uint64_t ticketed = next_ticket;
    if (delivered.load() >= ticketed) return true;
    if (channel_thread.load(std::memory_order_relaxed) == std::this_thread::get_id()) return true;
    announce_waiter();
    const bool out =
        channel_turn.wait_for(lk, timeout, [&] { return delivered.load() >= ticketed; });
    turn_waiters.fetch_sub(1);
    return out;
  }

  // (mu held) The operation ended with `fin`: kept for wait(), waiters and
  // concurrent stoppers woken. Returns its completion, to be called once the
  // report is delivered.
  completion ended(const std::optional<status_report>& fin) {
    stop_driver = driver::none;
    completion done;
    if (fin && fin->operation != 0) {
      finals.emplace(fin->operation, *fin);
      while (finals.size() > kept_finals) finals.erase(finals.begin());
      if (const auto it = completions.find(fin->operation); it != completions.end()) {
        done = std::move(it->second);
        completions.erase(it);
      }
    }
    idle.notify_all();
    return done;
  }

  static void complete(const completion& done, const std::optional<status_report>& fin) noexcept {
    if (!done || !fin) return;
    try {
      done(*fin);
    } catch (...) {
      // A completion's failure is its own; the engine carries on.
    }
  }

  static constexpr std::size_t kept_finals = 64;

  result<started_operation> start(operation_kind kind, completion done, operation_details details);
  void run_body(std::uint64_t id, operation_kind kind, const operation_details& details,
                worker_context& ctx);
  // A failure_signal of Online `id`: passed on while that Online is the
  // latest operation and the resource is still Online.
  void failure_reported(std::uint64_t id, std::string why);
  exit_state report(std::uint64_t id, const progress& p);
  resource_tracker::stop_outcome latch(stop_reason why);
  // What a stop does with a resource that has nothing pending.
  enum class when_settled {
    leave,      // stop_pending, shutdown: nothing
    terminate,  // Terminate: terminate(); Online -> Offline
    if_busy,    // Close: as `terminate`, only for an Online resource
    force_down, // force_down: terminate(); Online or Failed -> Offline
  };
  bool stop(stop_reason why, final_report f, when_settled settled);
  // (no lock held) A stop of `force_down` that ended an operation Failed:
  // the resource has had terminate() since; it is now Offline.
  void settle_forced(stop_reason why, final_report f);
  bool enforce_deadline();
  [[nodiscard]] std::optional<time_point> deadline() const;
  std::optional<std::uint64_t> expire();
  void reap_overdue(std::uint64_t id);
  // (mu held) Ends a timer-driven stop and delivers its final report.
  void settle_timed(std::unique_lock<std::mutex>& lk, std::string note);
  std::string zombie_note() const;
  std::size_t count_zombie();
  void warn_zombie(std::size_t n) const;
  void finish_stop(stop_reason why, final_report f, bool call_terminate = true);
  void wait_for_other_stop();
  void reap_previous_worker();

  const std::shared_ptr<resource> res;
  const std::unique_ptr<worker_platform> platform;
  const report_channel channel;
  const engine_log log;
  const engine_options options;

  std::mutex control_mu;
  bool abandoned = false;  // guarded by control_mu: the last worker is a zombie

  mutable std::mutex mu;
  resource_tracker tracker;              // guarded by mu
  driver stop_driver = driver::none;     // guarded by mu
  bool timed_terminated = false;         // guarded by mu: expire()'s terminate() returned
  bool timed_returned = false;           // guarded by mu: the body expire() stopped returned
  time_point timed_overdue{};            // guarded by mu: terminate() returned + stop_wait
  std::uint64_t next_ticket = 0;         // guarded by mu: deliveries run in ticket order
  std::atomic<std::uint64_t> delivered{0};   // tickets delivered; waited for under mu
  std::atomic<std::size_t> turn_waiters{0};  // deliveries waiting for their turn
  std::atomic<std::thread::id> channel_thread{};  // the thread inside the channel, if any
  std::condition_variable channel_turn;  // with mu: a delivery finished
  status_report progress_record;         // owned by the delivery turn: see deliver_progress
  bool closed = false;                   // guarded by mu
  std::condition_variable idle;          // with mu: an operation ended
  std::map<std::uint64_t, status_report> finals;     // guarded by mu: the last ones, by id
  std::map<std::uint64_t, completion> completions;   // guarded by mu: by operation id
  std::atomic<std::uint64_t> stopped_op{0};  // the operation told to stop

  std::atomic<std::size_t> zombies{0};
  std::atomic<std::size_t> channel_errors{0};

  deadline_watch watch;  // inert without options.timers
  // The platform has a process fence: a delivery's turn ends with a plain
  // store, and a waiter for a turn pays for the fence (announce_waiter).
  const bool light_turns;
};

}  // namespace pendop::detail
