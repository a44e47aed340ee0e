// SPDX-License-Identifier: MIT
#include <pendop/posix/resource_runner.hpp>

#include <pendop/host/operation_engine.hpp>
#include <pendop/host/worker_platform.hpp>
#include <pendop/posix/steady_time_source.hpp>
#include <pendop/posix/thread_lot.hpp>
#include <pendop/posix/thread_pool_executor.hpp>
#include <pendop/posix/worker.hpp>

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>

namespace pendop::posix {

namespace detail {

namespace {

// The engine's seam on POSIX: `worker` threads, sleeping on a time_source.
class posix_platform final : public worker_platform {
 public:
  posix_platform(std::shared_ptr<time_source> clock, std::shared_ptr<thread_lot> threads)
      : clock_(std::move(clock)), w_(std::move(threads)) {}

  time_point now() const noexcept override { return clock_->now(); }

  result<void> start_worker(body fn, std::string_view name) override {
    return w_.create(
        [clock = clock_, fn = std::move(fn)](std::stop_token token) {
          context ctx(*clock, std::move(token));
          fn(ctx);
        },
        std::string(name));
  }

  void request_stop() noexcept override { w_.request_stop(); }

  bool wait_worker(duration limit) noexcept override {
    return w_.terminate_for(limit, /*wait_only=*/true).has_value();
  }

  void abandon_worker() noexcept override { w_.detach(); }

  void begin_activity() noexcept override { clock_->begin_activity(); }
  void end_activity() noexcept override { clock_->end_activity(); }

 private:
  class context final : public worker_context {
   public:
    context(time_source& clock, std::stop_token token) : clock_(clock), token_(std::move(token)) {}
    bool stop_flagged() const noexcept override { return token_.stop_requested(); }
    bool sleep_for(duration d) noexcept override {
      return clock_.wait_until(token_, clock_.now() + d);
    }

   private:
    time_source& clock_;
    const std::stop_token token_;
  };

  const std::shared_ptr<time_source> clock_;
  worker w_;
};

}  // namespace

// A runner's engine, and the one timer that watches its deadline. Timer
// callbacks hold it weakly: a runner destroyed meanwhile is left alone.
struct runner_state : std::enable_shared_from_this<runner_state> {
  runner_state(operation_engine e, std::shared_ptr<scheduler> t, std::shared_ptr<call_executor> x,
               duration wait, duration l, bool executor_waits)
      : engine(std::move(e)),
        timers(std::move(t)),
        stops(std::move(x)),
        stop_wait(wait),
        lead(l),
        stops_wait(executor_waits) {}

  ~runner_state() {
    if (!timers) return;
    std::lock_guard lk(mu);
    if (timer != 0) timers->cancel(timer);
    if (due != 0) stops->cancel(due);
  }

  // Makes sure the deadline is checked no later than `deadline`: by a call
  // thread that waits for it (`stops_wait`), else by the timer, which fires
  // `lead` before it while a call thread waits out the rest.
  void watch(time_point deadline) {
    if (stops_wait && watch_on_stops(deadline)) return;
    arm(deadline - lead);
  }

  // Asks `stops` to check the deadline at `deadline`; false if it cannot.
  bool watch_on_stops(time_point deadline) {
    std::lock_guard lk(mu);
    if (due != 0 && due_at <= deadline) return true;  // an earlier check re-arms itself
    if (due != 0) stops->cancel(due);
    due = stops->execute_at(deadline, [weak = weak_from_this(), gen = ++due_gen] {
      if (auto self = weak.lock()) self->on_due(gen);
    });
    due_at = deadline;
    return due != 0;
  }

  // Makes sure the timer fires no later than `when`.
  void arm(time_point when) {
    std::lock_guard lk(mu);
    if (timer != 0 && armed_at <= when) return;  // an earlier check re-arms itself
    if (timer != 0) timers->cancel(timer);
    armed_at = when;
    timer = timers->schedule_at(when, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->on_timer();
    });
  }

  // An operation settled: a check left for its deadline is cancelled, unless
  // a new operation (which armed it after it began) is pending.
  void disarm_if_settled() {
    std::lock_guard lk(mu);
    if ((timer == 0 && due == 0) || engine.deadline()) return;
    if (timer != 0) timers->cancel(timer);
    if (due != 0) stops->cancel(due);
    timer = 0;
    due = 0;
  }

  // The deadline may have moved since the timer was armed (a report moves
  // it without touching the timer): re-arm, or stop the operation.
  void on_timer() {
    {
      std::lock_guard lk(mu);
      timer = 0;
    }
    const auto deadline = engine.deadline();
    if (!deadline) return;  // settled, or already stopping
    if (*deadline - lead > timers->now()) {
      watch(*deadline);
      return;
    }
    // Terminate runs on a call thread (it is resource code) and returns
    // without waiting for the body: its return settles the operation, or,
    // stop_wait later, the timer abandons it as a zombie. The call thread is
    // woken `lead` early and waits for the deadline itself, so its wake-up
    // is not part of the stop's lateness.
    stops->execute([weak = weak_from_this(), when = *deadline] {
      auto self = weak.lock();
      if (!self) return;
      if (self->lead > duration::zero()) (void)self->timers->wait_until({}, when);
      self->stop_if_due();
    });
  }

  // On a call thread that waited for the deadline itself (`stops_wait`).
  void on_due(std::uint64_t gen) {
    {
      std::lock_guard lk(mu);
      if (gen == due_gen) due = 0;  // else a later check is armed already
    }
    const auto deadline = engine.deadline();
    if (!deadline) return;  // settled, or already stopping
    if (*deadline > timers->now()) {
      watch(*deadline);  // moved by a report since
      return;
    }
    stop_if_due();
  }

  // On a call thread, at the deadline: stops the operation (the engine
  // re-checks it) and has the timer reap a body that ignores the stop.
  void stop_if_due() {
    const auto stopped = engine.expire();
    if (!stopped) {
      // Not due after all (a report moved the deadline meanwhile): watch
      // the new one, since this check has run.
      if (const auto next = engine.deadline()) watch(*next);
      return;
    }
    timers->schedule_at(timers->now() + stop_wait, [weak = weak_from_this(), id = *stopped] {
      if (auto s = weak.lock()) s->reap_overdue(id);
    });
  }

  // stop_wait after a timed-out operation's terminate(): a body that has not
  // returned is abandoned, on a call thread (the engine may wait briefly).
  void reap_overdue(std::uint64_t id) {
    stops->execute([weak = weak_from_this(), id] {
      if (auto self = weak.lock()) self->engine.reap_overdue(id);
    });
  }

  operation_engine engine;
  const std::shared_ptr<scheduler> timers;      // null: the caller polls
  const std::shared_ptr<call_executor> stops;
  const duration stop_wait;
  const duration lead;     // runner_tuning::stop_lead
  const bool stops_wait;   // runner_tuning::stops_wait_for_deadlines

  std::mutex mu;
  scheduler::timer_id timer = 0;   // guarded by mu
  time_point armed_at{};           // guarded by mu
  call_executor::timed_id due = 0;  // guarded by mu: the check `stops` waits for
  time_point due_at{};             // guarded by mu
  std::uint64_t due_gen = 0;       // guarded by mu: which check `due` is
};

}  // namespace detail

result<resource_runner> resource_runner::create(std::shared_ptr<resource> res, status_sink sink,
                                                runner_options options) {
  if (!res) return make_error(errc::invalid_argument, "resource_runner: the resource is null");
  if (!sink) return make_error(errc::invalid_argument, "resource_runner: the status sink is empty");
  if (options.name.empty()) {
    return make_error(errc::invalid_argument, "resource_runner: the resource name is empty");
  }
  if (options.stop_wait < duration::zero()) {
    return make_error(errc::invalid_argument, "resource_runner: stop_wait is negative");
  }
  if (options.tuning.stop_lead < duration::zero()) {
    return make_error(errc::invalid_argument, "resource_runner: stop_lead is negative");
  }
  if (auto valid = validate(options.properties); !valid) return valid.error();
  if (options.timers && options.clock && options.clock != options.timers) {
    return make_error(errc::invalid_argument,
                      "resource_runner: clock and timers must be the same clock");
  }
  std::shared_ptr<time_source> clock = options.clock   ? std::move(options.clock)
                                       : options.timers ? options.timers
                                                        : make_steady_time_source();
  if (options.timers && !options.tuning.stops) {
    options.tuning.stops = std::make_shared<thread_pool_executor>(4, options.stop_wait);
  }
  engine_options eo;
  eo.name = std::move(options.name);
  eo.pending_timeout = options.properties.pending_timeout;
  eo.stop_wait = options.stop_wait;
  const duration stop_wait = options.stop_wait;
  eo.initial_state = options.initial_state;
  eo.operation_limit = options.operation_limit;
  eo.on_failure = options.on_failure;
  // Set before the first operation can start (and so before the first report).
  auto owner = std::make_shared<std::weak_ptr<detail::runner_state>>();
  const bool timed = options.timers != nullptr;
  auto engine = operation_engine::create(
      std::move(res),
      std::make_unique<detail::posix_platform>(
          std::move(clock), options.threads ? std::move(options.threads)
                                            : std::make_shared<thread_lot>(1)),
      [sink = std::move(sink), owner, timed](const status_report& r) {
        sink(r);
        if (timed && r.final) {
          if (auto state = owner->lock()) state->disarm_if_settled();
        }
        return exit_state::proceed;
      },
      std::move(eo), options.log);
  if (!engine) return engine.error();
  auto state = std::make_shared<detail::runner_state>(
      std::move(*engine), std::move(options.timers), std::move(options.tuning.stops), stop_wait,
      options.tuning.stop_lead, options.tuning.stops_wait_for_deadlines);
  *owner = state;
  return resource_runner(std::move(state));
}

resource_runner::resource_runner(std::shared_ptr<detail::runner_state> state) noexcept
    : state_(std::move(state)) {}

resource_runner::resource_runner(resource_runner&&) noexcept = default;
resource_runner& resource_runner::operator=(resource_runner&&) noexcept = default;
resource_runner::~resource_runner() = default;

void resource_runner::arm_deadline() {
  if (!state_->timers) return;
  if (const auto deadline = state_->engine.deadline()) state_->watch(*deadline);
}

result<started_operation> resource_runner::online(completion done) {
  auto started = state_->engine.start(operation_kind::online, std::move(done));
  if (started) arm_deadline();
  return started;
}

result<started_operation> resource_runner::offline(completion done) {
  auto started = state_->engine.start(operation_kind::offline, std::move(done));
  if (started) arm_deadline();
  return started;
}

result<status_report> resource_runner::wait(std::uint64_t id, duration timeout) const {
  return state_->engine.wait(id, timeout);
}

void resource_runner::terminate(stop_reason why) {
  state_->engine.terminate(why, final_report::send);
}

bool resource_runner::check_pending_timeout() { return state_->engine.check_timeout(); }

bool resource_runner::stop_pending(stop_reason why) {
  return state_->engine.stop_pending(why, final_report::send);
}

bool resource_runner::wait_idle(duration timeout) { return state_->engine.wait_idle(timeout); }

result<void> resource_runner::set_limits(milliseconds pending_timeout,
                                         std::optional<duration> operation_limit) {
  resource_properties p;
  p.pending_timeout = pending_timeout;
  if (auto valid = validate(p); !valid) return valid.error();
  return state_->engine.set_limits(pending_timeout, operation_limit);
}

void resource_runner::close() { state_->engine.close(); }

result<void> resource_runner::fail(std::string why) { return state_->engine.fail(std::move(why)); }

resource_state resource_runner::state() const { return state_->engine.state(); }

std::optional<time_point> resource_runner::pending_deadline() const {
  return state_->engine.deadline();
}

std::size_t resource_runner::zombies() const noexcept { return state_->engine.zombies(); }

std::size_t resource_runner::sink_errors() const noexcept {
  return state_->engine.channel_errors();
}

const std::string& resource_runner::name() const noexcept { return state_->engine.name(); }

}  // namespace pendop::posix
