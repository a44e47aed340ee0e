// SPDX-License-Identifier: MIT
#include <pendop/host/operation_engine.hpp>

#include <pendop/detail/resource_tracker.hpp>
#include <pendop/host/invoke_operation.hpp>
#include <pendop/operation.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace pendop {

namespace detail {

// Everything an engine shares with its workers. A worker holds a reference,
// so an abandoned (zombie) body never touches freed memory.
//
// Locks, always taken in this order and never while resource code runs
// (terminate() excepted, under control_mu, as the owner of a stop):
//   control_mu  serialises the platform's owner operations (start, wait,
//               abandon); held by a stopper while it waits for the body
//   mu          guards `tracker`, the stop's driver, the delivery tickets;
//               brief, and never held while the channel runs
struct engine_core : std::enable_shared_from_this<engine_core> {
  // Who ends a latched stop.
  enum class driver {
    none,
    caller,  // a terminate/stop_pending/check_timeout caller: it settles
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
        tracker(options.name, options.pending_timeout, options.initial_state) {
    tracker.set_operation_limit(options.operation_limit);
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
    if (delivered.load() != ticket) {
      turn_waiters.fetch_add(1);
      channel_turn.wait(lk, [&] { return delivered.load() == ticket; });
      turn_waiters.fetch_sub(1);
    }
    lk.unlock();
    exit_state answer = exit_state::proceed;
    if (r) {
      channel_thread.store(std::this_thread::get_id(), std::memory_order_relaxed);
      try {
        answer = channel(*r);
      } catch (...) {
        channel_errors.fetch_add(1, std::memory_order_relaxed);
      }
      channel_thread.store(std::thread::id{}, std::memory_order_relaxed);
    }
    // Both sequentially consistent: a delivery waiting for the next turn
    // either sees it in its predicate or is counted here, and then it is
    // inside its wait (it holds mu until then) by the time mu is ours.
    delivered.store(ticket + 1);
    if (turn_waiters.load() != 0) {
      { std::lock_guard turn_over(mu); }
      channel_turn.notify_all();
    }
    return answer;
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
    turn_waiters.fetch_add(1);
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
  bool stop(stop_reason why, final_report f, bool only_pending);
  bool check_timeout();
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
  bool closed = false;                   // guarded by mu
  std::condition_variable idle;          // with mu: an operation ended
  std::map<std::uint64_t, status_report> finals;     // guarded by mu: the last ones, by id
  std::map<std::uint64_t, completion> completions;   // guarded by mu: by operation id
  std::atomic<std::uint64_t> stopped_op{0};  // the operation told to stop

  std::atomic<std::size_t> zombies{0};
  std::atomic<std::size_t> channel_errors{0};
};

namespace {

// The `operation` a body talks to; lives on the worker's stack.
class engine_operation final : public operation {
 public:
  engine_operation(engine_core& core, std::uint64_t id, operation_kind kind,
                   const operation_details& details, worker_context& ctx)
      : core_(core), id_(id), kind_(kind), details_(details), ctx_(ctx) {}

  operation_kind kind() const noexcept override { return kind_; }

  bool stop_requested() const noexcept override {
    return core_.stopped_op.load(std::memory_order_acquire) == id_ || ctx_.stop_flagged();
  }

  bool wait_for(duration d) noexcept override {
    if (stop_requested()) return false;
    if (d <= duration::zero()) return true;
    return ctx_.sleep_for(d) && !stop_requested();
  }

  exit_state report(const progress& p) override { return core_.report(id_, p); }

  duration time_left() const noexcept override {
    std::lock_guard lk(core_.mu);
    if (core_.tracker.stop_requested(id_)) return duration::zero();
    return core_.tracker.time_left(core_.platform->now());
  }

  stop_reason reason() const noexcept override {
    std::lock_guard lk(core_.mu);
    return core_.tracker.reason(id_);
  }

  void log(log_level level, std::string_view text) noexcept override { core_.write(level, text); }

  const operation_details& details() const noexcept override { return details_; }

  failure_signal failure_reporter() const override {
    if (kind_ != operation_kind::online || !core_.options.on_failure) return {};
    return failure_signal([weak = core_.weak_from_this(), id = id_](std::string why) {
      if (auto core = weak.lock()) core->failure_reported(id, std::move(why));
    });
  }

 private:
  engine_core& core_;
  const std::uint64_t id_;
  const operation_kind kind_;
  const operation_details& details_;
  worker_context& ctx_;
};

std::string ms_text(duration d) {
  return fmt::format("{}", std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

}  // namespace

// The previous operation has ended (the tracker said so) but its thread may
// still be returning. Release it before reusing the platform's worker; one
// slow about it is let go (its body has returned: no zombie). A zombie was
// waited for once already, when it was abandoned: not again.
void engine_core::reap_previous_worker() {
  if (abandoned) return;
  if (!platform->wait_worker(options.stop_wait)) platform->abandon_worker();
}

result<started_operation> engine_core::start(operation_kind kind, completion done,
                                              operation_details details) {
  std::lock_guard control(control_mu);
  std::unique_lock lk(mu);
  if (closed) {
    return make_error(errc::shutting_down,
                      fmt::format("{} rejected: resource \"{}\" is closed (shutting down)",
                                  to_string(kind), tracker.name()));
  }
  auto begun = tracker.begin(kind, platform->now());
  if (!begun) {
    lk.unlock();
    write(log_level::error, begun.error().message);
    return begun.error();
  }
  const started_operation started{tracker.operation_id(), begun->state};
  if (begun->final) {  // nothing to run
    std::optional<status_report> fin = std::move(*begun);
    (void)ended(fin);
    deliver(lk, options.report_start ? fin : std::nullopt);
    complete(done, fin);
    return started;
  }
  if (done) completions.emplace(started.id, std::move(done));
  std::optional<status_report> first = std::move(*begun);
  if (!options.report_start) first.reset();
  deliver(lk, std::move(first));

  reap_previous_worker();
  abandoned = false;
  platform->begin_activity();  // ended by the worker once its final report is out
  const std::uint64_t id = started.id;
  auto made = platform->start_worker(
      [self = shared_from_this(), id, kind, details = std::move(details)](worker_context& ctx) {
        self->run_body(id, kind, details, ctx);
      },
      fmt::format("pd:{}", tracker.name()));
  if (!made) {
    platform->end_activity();
    write(log_level::error, fmt::format("{}: {}", to_string(kind), made.error().message));
    lk.lock();
    auto failed = tracker.finish(id, made.error(), platform->now());
    auto finished = ended(failed);
    const auto fin = failed;
    if (!options.report_start) failed.reset();
    deliver(lk, std::move(failed), /*barrier=*/true);
    complete(finished, fin);
    return made.error();
  }
  return started;
}

void engine_core::failure_reported(std::uint64_t id, std::string why) {
  {
    std::lock_guard lk(mu);
    if (tracker.operation_id() != id || tracker.state() != resource_state::online) return;
  }
  write(log_level::error, fmt::format("the resource reported a failure: {}", why));
  options.on_failure(id, std::move(why));
}

void engine_core::run_body(std::uint64_t id, operation_kind kind, const operation_details& details,
                           worker_context& ctx) {
  engine_operation op(*this, id, kind, details, ctx);
  const result<void> outcome = invoke_operation(*res, op);
  std::unique_lock lk(mu);
  auto fin = tracker.finish(id, outcome, platform->now());
  completion done;
  std::optional<status_report> kept = fin;
  if (fin) {
    done = ended(fin);
  } else if (stop_driver == driver::body && tracker.operation_id() == id) {
    // Stopped by the channel's answer: end the operation, report nothing.
    kept = tracker.settle(stop_reason::terminate_called, platform->now());
    done = ended(kept);
  } else if (stop_driver == driver::timer && tracker.operation_id() == id) {
    if (!timed_terminated) {
      timed_returned = true;  // expire() settles once terminate() has returned
    } else {
      // Returning after stop_wait is ignoring the stop, however late the
      // overdue check runs: the same zombie a waiting caller would count.
      const std::size_t zombie = platform->now() >= timed_overdue ? count_zombie() : 0;
      settle_timed(lk, zombie != 0 ? zombie_note() : std::string());
      if (zombie != 0) warn_zombie(zombie);
      platform->end_activity();
      return;
    }
  }
  if (fin && !outcome) {
    // The final report's turn is taken before mu is let go for the log
    // line: whoever sees the operation over also waits for this report.
    const std::uint64_t ticket = next_ticket++;
    lk.unlock();
    write(log_level::error, outcome.error().message);
    lk.lock();
    deliver_in_turn(lk, ticket, std::move(fin));
  } else {
    deliver(lk, std::move(fin));
  }
  complete(done, kept);
  platform->end_activity();
}

exit_state engine_core::report(std::uint64_t id, const progress& p) {
  std::unique_lock lk(mu);
  auto outcome = tracker.report(id, p, platform->now());
  if (outcome.answer == exit_state::terminate) {
    stopped_op.store(id, std::memory_order_release);
    lk.unlock();
    return exit_state::terminate;
  }
  if (deliver(lk, std::move(outcome.report)) == exit_state::proceed) return exit_state::proceed;
  // ResourceExitStateTerminate: nobody else owns this stop, so the worker
  // ends the operation itself once its body returns.
  lk.lock();
  if (tracker.operation_id() == id &&
      tracker.request_stop(stop_reason::terminate_called) ==
          resource_tracker::stop_outcome::started) {
    stop_driver = driver::body;
  }
  stopped_op.store(id, std::memory_order_release);
  lk.unlock();
  platform->request_stop();
  return exit_state::terminate;
}

void engine_core::settle_timed(std::unique_lock<std::mutex>& lk, std::string note) {
  auto settled = tracker.settle(stop_reason::pending_timeout, platform->now(), std::move(note));
  const auto done = ended(settled);
  const auto fin = settled;
  deliver(lk, std::move(settled), /*barrier=*/true);
  complete(done, fin);
}

std::optional<std::uint64_t> engine_core::expire() {
  // control_mu first: no other operation can start (and get this stop)
  // before terminate() has been called.
  std::lock_guard control(control_mu);
  std::unique_lock lk(mu);
  if (!tracker.poll_timeout(platform->now())) return std::nullopt;
  if (latch(stop_reason::pending_timeout) != resource_tracker::stop_outcome::started) {
    return std::nullopt;
  }
  const std::uint64_t id = tracker.operation_id();
  stop_driver = driver::timer;
  timed_terminated = false;
  timed_returned = false;
  lk.unlock();
  platform->request_stop();
  if (std::string text; !invoke_terminate(*res, &text)) write(log_level::error, text);
  lk.lock();
  timed_overdue = platform->now() + options.stop_wait;  // a caller taking over waits until then
  if (stop_driver != driver::timer || tracker.operation_id() != id) return id;  // taken over
  timed_terminated = true;
  if (timed_returned) settle_timed(lk, {});
  return id;
}

void engine_core::reap_overdue(std::uint64_t id) {
  std::lock_guard control(control_mu);  // held briefly, or by a caller that took the stop over
  std::unique_lock lk(mu);
  if (stop_driver != driver::timer || tracker.operation_id() != id || timed_returned ||
      !timed_terminated) {
    return;
  }
  // Settled first, under mu: the body's return from now on finds nothing to
  // settle and reports nothing. control_mu keeps the next start out until
  // the thread is let go.
  const std::size_t zombie = count_zombie();
  settle_timed(lk, zombie_note());
  platform->abandon_worker();
  abandoned = true;
  warn_zombie(zombie);
}

// The final report's note for an abandoned body.
std::string engine_core::zombie_note() const {
  return fmt::format("the body ignored terminate for {}; its thread was abandoned (zombie)",
                     ms_text(options.stop_wait));
}

// Counts an abandoned body (before its final report, which hosts read the
// count with); the warning is written by `warn_zombie`, outside mu.
std::size_t engine_core::count_zombie() {
  return zombies.fetch_add(1, std::memory_order_relaxed) + 1;
}

void engine_core::warn_zombie(std::size_t n) const {
  write(log_level::warning, fmt::format("the body ignored terminate for {} and was abandoned "
                                        "(zombie {})",
                                        ms_text(options.stop_wait), n));
}

// The caller owns a stop latched in the tracker: wake the body, hard-stop the
// resource (unless expire() has), wait a bounded time, then end the operation.
void engine_core::finish_stop(stop_reason why, final_report f, bool call_terminate) {
  std::lock_guard control(control_mu);
  platform->request_stop();
  duration wait = options.stop_wait;
  if (std::string text; call_terminate && !invoke_terminate(*res, &text)) {
    write(log_level::error, text);
  } else if (!call_terminate) {
    // Taken over from expire(): the body has had terminate() since then.
    std::lock_guard lk(mu);
    wait = std::clamp<duration>(timed_overdue - platform->now(), duration::zero(),
                                options.stop_wait);
  }
  std::string note;
  if (!platform->wait_worker(wait)) {
    platform->abandon_worker();
    abandoned = true;
    warn_zombie(count_zombie());
    note = zombie_note();
  }
  std::unique_lock lk(mu);
  auto settled = tracker.settle(why, platform->now(), std::move(note));
  const auto done = ended(settled);
  const auto fin = settled;
  if (f == final_report::withhold) settled.reset();
  deliver(lk, std::move(settled), /*barrier=*/true);
  complete(done, fin);
}

// Another caller owns the stop in progress: wait (bounded) for it to end, so
// that this caller too returns with the operation over.
void engine_core::wait_for_other_stop() {
  std::unique_lock lk(mu);
  // The owner waits stop_wait for the body after terminate(): allow both.
  idle.wait_for(lk, 2 * options.stop_wait, [&] { return !tracker.pending(); });
  deliver(lk, std::nullopt, /*barrier=*/true);
}

// (mu held) Latches a stop with `why`; a stop the body or a timer owns (the
// channel answered terminate, or expire() ran) is taken over, since this
// caller waits for the body.
resource_tracker::stop_outcome engine_core::latch(stop_reason why) {
  auto outcome = tracker.request_stop(why);
  if (outcome == resource_tracker::stop_outcome::already_stopping &&
      (stop_driver == driver::body || stop_driver == driver::timer)) {
    outcome = resource_tracker::stop_outcome::started;
  }
  if (outcome == resource_tracker::stop_outcome::started) {
    stop_driver = driver::caller;
    stopped_op.store(tracker.operation_id(), std::memory_order_release);
  }
  return outcome;
}

bool engine_core::stop(stop_reason why, final_report f, bool only_pending) {
  std::unique_lock lk(mu);
  const bool after_timer = stop_driver == driver::timer;  // terminate() called (or under way)
  const auto outcome = latch(why);
  lk.unlock();
  switch (outcome) {
    case resource_tracker::stop_outcome::started:
      finish_stop(why, f, /*call_terminate=*/!after_timer);
      return true;
    case resource_tracker::stop_outcome::already_stopping:
      if (!only_pending) wait_for_other_stop();
      return false;
    case resource_tracker::stop_outcome::nothing_pending:
      break;
  }
  if (only_pending) return false;
  std::unique_lock control(control_mu);
  lk.lock();
  if (tracker.pending()) {
    // An operation started between the latch and control_mu: stop that one.
    lk.unlock();
    control.unlock();
    return stop(why, f, only_pending);
  }
  lk.unlock();
  if (std::string text; !invoke_terminate(*res, &text)) write(log_level::error, text);
  reap_previous_worker();
  lk.lock();
  auto settled = tracker.settle(why, platform->now());
  if (f == final_report::withhold) settled.reset();
  deliver(lk, std::move(settled), /*barrier=*/true);
  return false;
}

bool engine_core::check_timeout() {
  std::unique_lock lk(mu);
  if (!tracker.poll_timeout(platform->now())) return false;
  const auto outcome = latch(stop_reason::pending_timeout);
  lk.unlock();
  if (outcome == resource_tracker::stop_outcome::started) {
    finish_stop(stop_reason::pending_timeout, final_report::send);
  }
  return true;
}

}  // namespace detail

result<operation_engine> operation_engine::create(std::shared_ptr<resource> res,
                                                  std::unique_ptr<worker_platform> platform,
                                                  report_channel channel, engine_options options,
                                                  engine_log log) {
  if (!res) return make_error(errc::invalid_argument, "operation engine: the resource is null");
  if (!platform) return make_error(errc::invalid_argument, "operation engine: the platform is null");
  if (!channel) {
    return make_error(errc::invalid_argument, "operation engine: the report channel is empty");
  }
  if (options.stop_wait < duration::zero()) {
    return make_error(errc::invalid_argument,
                      fmt::format("operation engine for \"{}\": stop_wait is negative", options.name));
  }
  if (options.pending_timeout <= milliseconds::zero()) {
    return make_error(errc::invalid_argument,
                      fmt::format("operation engine for \"{}\": PendingTimeout must be positive",
                                  options.name));
  }
  return operation_engine(std::make_shared<detail::engine_core>(
      std::move(res), std::move(platform), std::move(channel), std::move(options), std::move(log)));
}

operation_engine::operation_engine(std::shared_ptr<detail::engine_core> core) noexcept
    : core_(std::move(core)) {}

operation_engine::operation_engine(operation_engine&&) noexcept = default;

operation_engine& operation_engine::operator=(operation_engine&& other) noexcept {
  if (this != &other) {
    if (core_) shutdown();
    core_ = std::move(other.core_);
  }
  return *this;
}

operation_engine::~operation_engine() {
  if (!core_) return;
  try {
    shutdown();
  } catch (...) {
    // Formatting a note can only fail on exhausted memory; nothing to report to.
  }
}

result<started_operation> operation_engine::start(operation_kind kind, completion done,
                                                  operation_details details) {
  return core_->start(kind, std::move(done), std::move(details));
}

result<status_report> operation_engine::wait(std::uint64_t id, duration timeout) const {
  auto& c = *core_;
  std::unique_lock lk(c.mu);
  const std::uint64_t last = c.tracker.operation_id();
  if (id == 0 || id > last) {
    return make_error(errc::invalid_argument,
                      fmt::format("resource \"{}\": operation {} was never started (the last is {})",
                                  c.tracker.name(), id, last));
  }
  const auto known = [&] {
    return c.finals.contains(id) || id != c.tracker.operation_id() || !c.tracker.pending();
  };
  if (!c.idle.wait_for(lk, timeout, known) || !c.finals.contains(id)) {
    if (id == c.tracker.operation_id() && c.tracker.pending()) {
      return make_error(errc::wait_timeout,
                        fmt::format("resource \"{}\": operation {} is still {} after {} ms",
                                    c.tracker.name(), id, to_string(c.tracker.state()),
                                    std::chrono::duration_cast<milliseconds>(timeout).count()));
    }
    return make_error(errc::invalid_argument,
                      fmt::format("resource \"{}\": operation {} ended too long ago to be kept "
                                  "(the last {} are)",
                                  c.tracker.name(), id, detail::engine_core::kept_finals));
  }
  return c.finals.at(id);
}

void operation_engine::terminate(stop_reason why, final_report f) {
  (void)core_->stop(why, f, /*only_pending=*/false);
}

bool operation_engine::stop_pending(stop_reason why, final_report f) {
  return core_->stop(why, f, /*only_pending=*/true);
}

result<void> operation_engine::fail(std::string why) {
  std::unique_lock lk(core_->mu);
  auto failed = core_->tracker.fail(std::move(why), core_->platform->now());
  if (!failed) return failed.error();
  const bool changed = failed->has_value();
  core_->deliver(lk, std::move(*failed));
  if (changed) {
    std::lock_guard control(core_->control_mu);
    // ResApi: Failed first, then Terminate.
    if (std::string text; !invoke_terminate(*core_->res, &text)) {
      core_->write(log_level::error, text);
    }
  }
  return ok();
}

bool operation_engine::check_timeout() { return core_->check_timeout(); }

std::optional<std::uint64_t> operation_engine::expire() { return core_->expire(); }

void operation_engine::reap_overdue(std::uint64_t id) { core_->reap_overdue(id); }

result<void> operation_engine::set_limits(milliseconds pending_timeout,
                                          std::optional<duration> operation_limit) {
  if (pending_timeout <= milliseconds::zero()) {
    return make_error(errc::invalid_argument,
                      fmt::format("operation engine for \"{}\": PendingTimeout must be positive",
                                  core_->tracker.name()));
  }
  std::lock_guard lk(core_->mu);
  core_->tracker.set_pending_timeout(pending_timeout);
  core_->tracker.set_operation_limit(operation_limit);
  return ok();
}

void operation_engine::close() {
  std::lock_guard lk(core_->mu);
  core_->closed = true;
}

void operation_engine::shutdown() {
  if (!stop_pending(stop_reason::shutdown, final_report::send)) {
    std::lock_guard control(core_->control_mu);
    core_->reap_previous_worker();
  }
}

bool operation_engine::wait_idle(duration timeout) {
  std::unique_lock lk(core_->mu);
  return core_->idle.wait_for(lk, timeout, [&] { return !core_->tracker.pending(); }) &&
         core_->await_delivered(lk, timeout);
}

resource_state operation_engine::state() const {
  std::lock_guard lk(core_->mu);
  return core_->tracker.state();
}

bool operation_engine::pending() const {
  std::lock_guard lk(core_->mu);
  return core_->tracker.pending();
}

std::optional<time_point> operation_engine::deadline() const {
  std::lock_guard lk(core_->mu);
  return core_->tracker.deadline();
}

std::uint64_t operation_engine::operation_id() const {
  std::lock_guard lk(core_->mu);
  return core_->tracker.operation_id();
}

std::size_t operation_engine::zombies() const noexcept {
  return core_->zombies.load(std::memory_order_relaxed);
}

std::size_t operation_engine::channel_errors() const noexcept {
  return core_->channel_errors.load(std::memory_order_relaxed);
}

const std::string& operation_engine::name() const noexcept { return core_->tracker.name(); }

resource& operation_engine::subject() const noexcept { return *core_->res; }

}  // namespace pendop
