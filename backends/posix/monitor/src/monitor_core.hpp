// SPDX-License-Identifier: MIT
// What a `monitor` shares with its timers and calls: the hosted resources
// (`entry`) and the rules that act on them (`monitor_core`). The sources
// follow its seams:
//
//   monitor_core.cpp    events, lookups, timers, calls into resource code and
//                       the DeadlockTimeout watch (`call_watch`), status
//                       reports, the restart policy, admin requests
//   monitor_health.cpp  LooksAlive/IsAlive polling and what a failed check does
//   monitor.cpp         the public façade and shutdown
//
// Event delivery is `event_hub`'s; PendingTimeout is each runner's own.
#pragma once

#include <pendop/detail/call_watch.hpp>
#include <pendop/detail/restart_policy.hpp>
#include <pendop/monitor_event.hpp>
#include <pendop/posix/call_executor.hpp>
#include <pendop/posix/monitor.hpp>
#include <pendop/posix/resource_runner.hpp>
#include <pendop/posix/scheduler.hpp>
#include <pendop/posix/thread_lot.hpp>
#include <pendop/properties.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>
#include <pendop/status_report.hpp>

#include "event_hub.hpp"
#include "poll_schedule.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pendop::posix::detail {

// One hosted resource. Guarded by monitor_core::mu, except `runner`, which
// is set once at add() and is itself thread-safe.
struct entry {
  entry(std::string n, std::shared_ptr<resource> r, const resource_properties& p)
      : props(p), name(std::move(n)), res(std::move(r)), policy(p) {}

  // What a poll tick reads of every resource whose poll falls due comes
  // first, then `props` (its intervals and DeadlockTimeout lead): with
  // make_shared these share the cache lines of the shared_ptr's counts,
  // which a tick touches anyway. At 100 000 resources the tick's cost is
  // these cache misses.
  // Health polls (in monitor_core::polls): a poll carrying an older
  // generation was cancelled.
  std::uint64_t looks_generation = 0;
  std::uint64_t is_generation = 0;
  std::uint64_t batch_tick = 0;   // the poll tick that last put it in a batch
  std::size_t batch_index = 0;    // its check's place in that batch
  bool looks_scheduled = false;
  bool is_scheduled = false;
  bool health_busy = false;
  bool quarantined = false;
  bool removed = false;       // remove() took it out: its timers and calls do nothing
  resource_properties props;  // changed by set_properties

  const std::string name;
  const std::shared_ptr<resource> res;
  std::unique_ptr<resource_runner> runner;

  // The state of the last report delivered: the `from` of the next event.
  // What the monitor decides reads the runner's state, never this.
  resource_state reported = resource_state::offline;
  std::uint64_t operation = 0;  // the latest operation's id, from its reports
  restart_policy policy;
  scheduler::timer_id restart_timer = 0;
  std::optional<time_point> next_restart;

  std::size_t terminates = 0;
  std::size_t failures = 0;
  std::size_t restarts = 0;
  std::size_t looks_alive_failures = 0;
  std::size_t is_alive_failures = 0;
  std::size_t deadlocks = 0;
  std::size_t zombies_seen = 0;
  std::string last_error;
};

using entry_ptr = std::shared_ptr<entry>;

// Locks: `mu` guards every entry field, the entry map and the call watch;
// it is never held while resource code, a runner method or a subscriber
// runs. Events are pushed to `events` under `mu` (so their order is the
// order of the decisions) and delivered by `flush()` after it is released.
struct monitor_core : std::enable_shared_from_this<monitor_core> {
  monitor_core(std::shared_ptr<scheduler> s, std::shared_ptr<call_executor> e, duration wait,
               duration poll_slack, bool grow_futex_hash)
      : clock(std::move(s)),
        exec(std::move(e)),
        threads(std::make_shared<thread_lot>(std::numeric_limits<std::size_t>::max(),
                                             std::chrono::seconds(1), std::chrono::milliseconds(1),
                                             std::chrono::milliseconds(100), grow_futex_hash)),
        stop_wait(wait),
        epoch(clock->now()),
        polls(epoch, poll_slack) {}

  // --- events (monitor_core.cpp) ---------------------------------------------
  void push(const entry& e, event_kind kind, std::string detail = {},
            stop_reason reason = stop_reason::none, std::error_code error = {});
  void flush() { events.flush(); }

  // --- lookups ---------------------------------------------------------------
  result<entry_ptr> find(std::string_view name) const;
  result<entry_ptr> find_locked(std::string_view name) const;

  // --- timers (mu held) ------------------------------------------------------
  void cancel_timer(scheduler::timer_id& id);
  void cancel_health(entry& e);
  void cancel_all_timers(entry& e);
  // Runs `(this->*fn)(e)` on the scheduler's thread at `when`, if both live.
  scheduler::timer_id at(time_point when, const entry_ptr& e, void (monitor_core::*fn)(entry_ptr));

  // --- calls into resource code, watched for DeadlockTimeout -----------------
  void call(const entry_ptr& e, std::string entry_point, std::function<void()> fn);
  // `call` at `when` (steady clock), on an executor thread that waited for
  // it itself; 0 if the executor cannot wait.
  call_executor::timed_id call_at(const entry_ptr& e, std::string entry_point, time_point when,
                                  std::function<void()> fn);
  // Drops a call that `call_at` scheduled, and its watch, unless it started.
  bool cancel_at(call_executor::timed_id id);
  // (mu held) Starts the DeadlockTimeout watch of one call, which must
  // return by `deadline` (by default, DeadlockTimeout from now).
  call_watch::call_id begin_watch(const entry_ptr& e, std::string entry_point);
  call_watch::call_id begin_watch(const entry_ptr& e, std::string entry_point,
                                  time_point deadline);
  // (mu held) Ends the watch of a call that will not run.
  void end_watch(call_watch::call_id id);
  // A watched call returned (`timed`: its `call_at` id, if it had one).
  void call_returned(const entry_ptr& e, call_watch::call_id id,
                     const std::shared_ptr<call_executor::timed_id>& timed = nullptr);
  // A call named as deadlocked returned after all: a late_return event.
  void report_late(const entry_ptr& e, const std::string& entry_point);
  void arm_watch(time_point when);  // mu held
  void watch_tick();
  void on_deadlock(const call_watch::call& c);
  // A call of `e` into `entry_point` outlasted DeadlockTimeout.
  void deadlocked(const entry_ptr& e, const std::string& entry_point);

  // --- reports from runners, the restart policy ------------------------------
  void on_report(const entry_ptr& e, const status_report& r);
  void settled(const entry_ptr& e, const status_report& r);  // mu held
  void decide_restart(const entry_ptr& e, time_point now);   // mu held
  void restart_tick(entry_ptr e);

  // --- health polling (monitor_health.cpp) -----------------------------------
  // Polls that fall due together run as one batch on one call thread; a
  // batch stuck in resource code gets another thread at the next tick.
  // A batch has one DeadlockTimeout watch, not one per check: each thread
  // draining it (a lane) records which check it runs, and when the watch
  // fires, the running checks past their own DeadlockTimeout are named (a
  // check not taken yet is never blamed) and the watch is re-armed for the
  // rest. The
  // checks that passed are settled together, under one lock, when a thread
  // leaves the batch (and at each tick, for a batch stuck in a check).
  struct poll_batch {
    // One resource's checks: LooksAlive, IsAlive or both (then in that
    // order, one busy period).
    struct check {
      entry_ptr e;
      bool looks = false;
      bool is = false;
    };
    struct lane {
      static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
      std::size_t index = none;       // the check this thread runs
      time_point since{};             // its checks' DeadlockTimeouts count from here
      std::atomic<bool> in_is{false};  // in its IsAlive (else its LooksAlive)
      bool reported = false;          // named as past its DeadlockTimeout
    };
    std::mutex mu;
    std::vector<check> checks;
    duration least_timeout{};        // the least DeadlockTimeout among the checks
    std::size_t next = 0;            // guarded by mu: the first check not yet taken
    std::deque<lane> lanes;          // guarded by mu (a lane's in_is: by its thread)
    std::size_t draining = 0;        // guarded by mu: threads in drain()
    std::vector<entry_ptr> passed;   // guarded by mu: checks that passed, not yet settled
    std::size_t seen_next = 0;       // guarded by monitor_core::mu: `next` at the last tick
    call_watch::call_id watch = 0;   // guarded by monitor_core::mu: 0 once ended
  };
  // (mu held) The next poll, an interval after `now` (default: the clock's).
  void schedule_looks(const entry_ptr& e, std::optional<time_point> now = {});
  void schedule_is(const entry_ptr& e, std::optional<time_point> now = {});
  void schedule_poll(const entry_ptr& e, poll_kind kind, duration interval,
                     std::optional<time_point> now);
  void arm_polls(time_point when);                                            // mu held
  void poll_tick();
  // (mu held) Settles the checks that passed; returns the batches that made
  // no progress since the last tick and still have checks to take.
  std::vector<std::shared_ptr<poll_batch>> stalled_batches();
  void drain(poll_batch& b, bool first);
  void run_check(poll_batch::check c, poll_batch::lane& lane, entry_ptr& passed);
  // (mu held) Watches batch `b` until `deadline`.
  void watch_batch(const std::shared_ptr<poll_batch>& b, time_point deadline);
  // The watch of batch `b` fired: names its checks past their DeadlockTimeout.
  void batch_deadline(const std::shared_ptr<poll_batch>& b);
  void run_is_alive(const entry_ptr& e);
  void after_looks_alive(const entry_ptr& e, bool alive, const std::string& why);
  void after_is_alive(const entry_ptr& e, bool alive, const std::string& why);
  bool fail_and_terminate(const entry_ptr& e, const std::string& why,
                          std::uint64_t operation = 0);
  // An Online resource's failure_signal: like a failed IsAlive (Failed, then
  // Terminate, then the restart policy), unless Online `operation` has ended
  // (the engine's rule).
  void failure_reported(const entry_ptr& e, std::uint64_t operation, std::string why);

  // --- admin requests ---------------------------------------------------------
  result<entry_ptr> admin(std::string_view name, std::string_view what);
  // The entry a request names, unless the monitor is shutting down.
  result<entry_ptr> admin_target(std::string_view name, std::string_view what) const;
  result<started_operation> start(std::string_view name, bool online, completion done);

  const std::shared_ptr<scheduler> clock;
  const std::shared_ptr<call_executor> exec;
  // Where every runner's worker threads park between operations. Every
  // thread whose body returned parks (no cap: they are as many as the
  // operations that ran at once) and lingers a second; then they leave 1 ms
  // apart once no operation has started or ended for 100 ms (one a second
  // while that never happens), so a storm of stops is neither followed nor
  // interrupted by a storm of stack unmaps, each of which stalls the other
  // CPUs. 100 ms: a storm's lulls (a few to 25 ms measured between the
  // deadlines of 10 000 Onlines) do not count as calm.
  const std::shared_ptr<thread_lot> threads;
  const duration stop_wait;
  duration stop_lead{};  // set once by monitor::create: the runners' stop_lead
  bool steady_timers = false;  // set once by monitor::create: `clock` is the steady clock
  const time_point epoch;
  event_hub events;

  mutable std::mutex mu;
  std::map<std::string, entry_ptr, std::less<>> entries;
  call_watch watch;                            // DeadlockTimeout of every call in flight
  std::map<call_watch::call_id, std::weak_ptr<entry>> callers;  // whose call each one is
  // The watch of each call `call_at` scheduled that has not run yet.
  std::unordered_map<call_executor::timed_id, call_watch::call_id> timed_watches;
  scheduler::timer_id watch_timer = 0;
  time_point watch_at{};
  poll_schedule polls;                          // every scheduled health poll
  scheduler::timer_id poll_timer = 0;           // the one timer, at polls.next()
  time_point poll_at{};
  std::vector<std::weak_ptr<poll_batch>> batches;  // handed to call threads
  std::uint64_t poll_ticks = 0;                   // poll_tick calls so far
  // The batch each health-check watch is for (batches are not in `callers`).
  std::unordered_map<call_watch::call_id, std::weak_ptr<poll_batch>> batch_watches;
  bool shutting_down = false;
  std::optional<shutdown_report> shutdown_result;
};

// Where a runner stops an operation whose deadline passed: a monitor call
// named "Terminate", so DeadlockTimeout watches it like every other call.
class terminate_calls final : public call_executor {
 public:
  terminate_calls(std::weak_ptr<monitor_core> core, const entry_ptr& e)
      : core_(std::move(core)), entry_(e) {}

  void execute(call fn) override {
    auto core = core_.lock();
    auto e = entry_.lock();
    if (core && e) core->call(e, "Terminate", std::move(fn));
  }

  timed_id execute_at(time_point when, call fn) override {
    auto core = core_.lock();
    auto e = entry_.lock();
    return core && e ? core->call_at(e, "Terminate", when, std::move(fn)) : 0;
  }

  bool cancel(timed_id id) noexcept override {
    auto core = core_.lock();
    try {
      return core && core->cancel_at(id);
    } catch (...) {
      return false;  // only a lock can throw; the call then runs and finds nothing to do
    }
  }

 private:
  const std::weak_ptr<monitor_core> core_;
  const std::weak_ptr<entry> entry_;
};

}  // namespace pendop::posix::detail
