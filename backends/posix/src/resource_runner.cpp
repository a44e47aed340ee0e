// SPDX-License-Identifier: MIT
#include <pendop/posix/resource_runner.hpp>

#include <pendop/invoke_operation.hpp>
#include <pendop/resource_tracker.hpp>
#include <pendop/posix/steady_time_source.hpp>
#include <pendop/posix/worker.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <utility>

namespace pendop::posix {

namespace detail {

// Everything a runner shares with its worker threads. A worker holds a
// reference, so an abandoned (zombie) body never touches freed memory.
//
// Locks, always taken in this order and never while calling resource code:
//   control_mu  serialises starting and stopping workers (the owner side of `w`);
//               held by a terminator while it waits for the body (bounded)
//   mu          guards `tracker` and the ticket counter; held only briefly
//   sink_mu     orders deliveries; never held while the sink runs
struct runner_core : std::enable_shared_from_this<runner_core> {
  runner_core(std::shared_ptr<resource> r, status_sink s, runner_options o)
      : res(std::move(r)),
        sink(std::move(s)),
        clock(o.clock ? std::move(o.clock) : make_steady_time_source()),
        stop_wait(o.stop_wait),
        tracker(o.name, o.properties.pending_timeout, o.initial_state) {
    tracker.set_operation_limit(o.operation_limit);
  }

  // Delivers `r` (if any) after every report made before it. Takes `lk` (on
  // mu) locked and returns with it unlocked; the sink runs with no lock held.
  void deliver(std::unique_lock<std::mutex>& lk, std::optional<status_report> r) {
    if (!r) {
      lk.unlock();
      return;
    }
    const std::uint64_t ticket = next_ticket++;
    if (r->final) idle.notify_all();  // tracker.pending() may have turned false
    lk.unlock();
    std::unique_lock order(sink_mu);
    sink_turn.wait(order, [&] { return delivered == ticket; });
    order.unlock();
    try {
      sink(*r);
    } catch (...) {
      sink_errors.fetch_add(1, std::memory_order_relaxed);
    }
    order.lock();
    ++delivered;
    order.unlock();
    sink_turn.notify_all();
  }

  result<resource_state> start(operation_kind kind);
  void run_body(std::uint64_t id, operation_kind kind, std::stop_token token);
  void terminate(stop_reason why);
  bool stop_pending(stop_reason why);
  result<void> fail(std::string why);
  void finish_stop(stop_reason why);
  bool check_pending_timeout();
  void shutdown();
  void reap_previous_worker();

  const std::shared_ptr<resource> res;
  const status_sink sink;
  const std::shared_ptr<time_source> clock;
  const duration stop_wait;

  std::mutex control_mu;
  worker w;                // owner side guarded by control_mu
  bool abandoned = false;  // guarded by control_mu: w's body was given up as a zombie

  mutable std::mutex mu;
  resource_tracker tracker;        // guarded by mu
  std::uint64_t next_ticket = 0;   // guarded by mu
  bool closed = false;             // guarded by mu: close() refuses new operations
  std::condition_variable idle;    // with mu: an operation ended

  std::mutex sink_mu;
  std::condition_variable sink_turn;
  std::uint64_t delivered = 0;     // guarded by sink_mu

  std::atomic<std::size_t> zombies{0};
  std::atomic<std::size_t> sink_errors{0};
};

namespace {

std::string ms_text(duration d) {
  return fmt::format("{}", std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

// The `operation` a body talks to. Lives on the worker's stack for the
// duration of the body's call.
class posix_operation final : public operation {
 public:
  posix_operation(runner_core& core, std::uint64_t id, operation_kind kind, std::stop_token token)
      : core_(core), id_(id), kind_(kind), token_(std::move(token)) {}

  operation_kind kind() const noexcept override { return kind_; }

  bool stop_requested() const noexcept override {
    return token_.stop_requested() || told_to_stop_.load(std::memory_order_acquire);
  }

  bool wait_for(duration d) noexcept override {
    if (stop_requested()) return false;
    if (d <= duration::zero()) return true;
    const bool reached = core_.clock->wait_until(token_, core_.clock->now() + d);
    return reached && !stop_requested();
  }

  exit_state report(const progress& p) override {
    std::unique_lock lk(core_.mu);
    auto outcome = core_.tracker.report(id_, p, core_.clock->now());
    if (outcome.answer == exit_state::terminate) {
      told_to_stop_.store(true, std::memory_order_release);
    }
    core_.deliver(lk, std::move(outcome.report));
    return outcome.answer;
  }

  duration time_left() const noexcept override {
    std::lock_guard lk(core_.mu);
    if (core_.tracker.stop_requested(id_)) return duration::zero();
    return core_.tracker.time_left(core_.clock->now());
  }

  stop_reason reason() const noexcept override {
    std::lock_guard lk(core_.mu);
    return core_.tracker.reason(id_);
  }

 private:
  runner_core& core_;
  const std::uint64_t id_;
  const operation_kind kind_;
  const std::stop_token token_;
  std::atomic<bool> told_to_stop_{false};
};

}  // namespace

// The previous operation has ended (the tracker said so), but its thread may
// still be delivering its final report. Join it before reusing the worker;
// one that is slow about it is let go (its body has returned: no zombie).
// A zombie was waited for once already, when it was abandoned: not again.
void runner_core::reap_previous_worker() {
  if (abandoned) return;
  if (!w.terminate_for(stop_wait, /*wait_only=*/true)) w.detach();
}

result<resource_state> runner_core::start(operation_kind kind) {
  std::lock_guard control(control_mu);
  std::unique_lock lk(mu);
  if (closed) {
    return make_error(errc::shutting_down,
                      fmt::format("{} rejected: resource \"{}\" is closed (shutting down)",
                                  to_string(kind), tracker.name()));
  }
  auto begun = tracker.begin(kind, clock->now());
  if (!begun) return begun.error();
  const std::uint64_t id = tracker.operation_id();
  const resource_state state = begun->state;
  const bool settled = begun->final;
  deliver(lk, std::move(*begun));
  if (settled) return state;

  reap_previous_worker();
  abandoned = false;
  clock->begin_activity();  // ended by the body's thread once its final report is out
  auto started = w.create(
      [self = shared_from_this(), id, kind](std::stop_token token) {
        self->run_body(id, kind, std::move(token));
      },
      fmt::format("pd:{}", tracker.name()));
  if (!started) {
    clock->end_activity();
    lk.lock();
    deliver(lk, tracker.finish(id, started.error(), clock->now()));
    return started.error();
  }
  return state;
}

void runner_core::run_body(std::uint64_t id, operation_kind kind, std::stop_token token) {
  posix_operation op(*this, id, kind, std::move(token));
  const result<void> outcome = invoke_operation(*res, op);
  std::unique_lock lk(mu);
  deliver(lk, tracker.finish(id, outcome, clock->now()));
  clock->end_activity();
}

// The caller owns a stop latched in the tracker: wake the body, hard-stop the
// resource, wait a bounded time, then make the one final report.
void runner_core::finish_stop(stop_reason why) {
  std::lock_guard control(control_mu);
  w.request_stop();
  (void)invoke_terminate(*res);  // may run concurrently with the body, as ResApi allows
  std::string note;
  if (auto waited = w.terminate_for(stop_wait); !waited) {
    w.detach();
    abandoned = true;
    zombies.fetch_add(1, std::memory_order_relaxed);
    note = fmt::format("the body ignored terminate for {}; its thread was abandoned (zombie)",
                       ms_text(stop_wait));
  }
  std::unique_lock lk(mu);
  deliver(lk, tracker.settle(why, clock->now(), std::move(note)));
}

void runner_core::terminate(stop_reason why) {
  std::unique_lock lk(mu);
  const auto outcome = tracker.request_stop(why);
  lk.unlock();
  switch (outcome) {
    case resource_tracker::stop_outcome::started:
      finish_stop(why);
      return;
    case resource_tracker::stop_outcome::already_stopping:
      return;  // the first terminator reports; later callers do not wait
    case resource_tracker::stop_outcome::nothing_pending: {
      std::lock_guard control(control_mu);
      (void)invoke_terminate(*res);
      lk.lock();
      deliver(lk, tracker.settle(why, clock->now()));
      return;
    }
  }
}

bool runner_core::stop_pending(stop_reason why) {
  std::unique_lock lk(mu);
  const auto outcome = tracker.request_stop(why);
  lk.unlock();
  if (outcome != resource_tracker::stop_outcome::started) return false;
  finish_stop(why);
  return true;
}

result<void> runner_core::fail(std::string why) {
  std::unique_lock lk(mu);
  auto failed = tracker.fail(std::move(why), clock->now());
  if (!failed) return failed.error();
  const bool changed = failed->has_value();
  deliver(lk, std::move(*failed));
  if (changed) {
    std::lock_guard control(control_mu);
    (void)invoke_terminate(*res);  // ResApi: Failed first, then Terminate
  }
  return ok();
}

bool runner_core::check_pending_timeout() {
  std::unique_lock lk(mu);
  if (!tracker.poll_timeout(clock->now())) return false;
  const auto outcome = tracker.request_stop(stop_reason::pending_timeout);
  lk.unlock();
  if (outcome == resource_tracker::stop_outcome::started) finish_stop(stop_reason::pending_timeout);
  return true;
}

void runner_core::shutdown() {
  std::unique_lock lk(mu);
  const auto outcome = tracker.request_stop(stop_reason::shutdown);
  lk.unlock();
  if (outcome == resource_tracker::stop_outcome::started) {
    finish_stop(stop_reason::shutdown);
  } else {
    std::lock_guard control(control_mu);
    reap_previous_worker();
  }
}

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
  if (auto valid = validate(options.properties); !valid) return valid.error();
  return resource_runner(
      std::make_shared<detail::runner_core>(std::move(res), std::move(sink), std::move(options)));
}

resource_runner::resource_runner(std::shared_ptr<detail::runner_core> core) noexcept
    : core_(std::move(core)) {}

resource_runner::resource_runner(resource_runner&&) noexcept = default;

resource_runner& resource_runner::operator=(resource_runner&& other) noexcept {
  if (this != &other) {
    shutdown();
    core_ = std::move(other.core_);
  }
  return *this;
}

resource_runner::~resource_runner() { shutdown(); }

void resource_runner::shutdown() noexcept {
  if (!core_) return;
  try {
    core_->shutdown();
  } catch (...) {
    // Formatting a note can only fail on exhausted memory; nothing to report to.
  }
  core_.reset();
}

result<resource_state> resource_runner::online() { return core_->start(operation_kind::online); }

result<resource_state> resource_runner::offline() { return core_->start(operation_kind::offline); }

void resource_runner::terminate(stop_reason why) { core_->terminate(why); }

bool resource_runner::check_pending_timeout() { return core_->check_pending_timeout(); }

bool resource_runner::stop_pending(stop_reason why) { return core_->stop_pending(why); }

bool resource_runner::wait_idle(duration timeout) {
  std::unique_lock lk(core_->mu);
  return core_->idle.wait_for(lk, timeout, [&] { return !core_->tracker.pending(); });
}

void resource_runner::close() {
  std::lock_guard lk(core_->mu);
  core_->closed = true;
}

result<void> resource_runner::fail(std::string why) { return core_->fail(std::move(why)); }

resource_state resource_runner::state() const {
  std::lock_guard lk(core_->mu);
  return core_->tracker.state();
}

std::optional<time_point> resource_runner::pending_deadline() const {
  std::lock_guard lk(core_->mu);
  return core_->tracker.deadline();
}

std::size_t resource_runner::zombies() const noexcept {
  return core_->zombies.load(std::memory_order_relaxed);
}

std::size_t resource_runner::sink_errors() const noexcept {
  return core_->sink_errors.load(std::memory_order_relaxed);
}

const std::string& resource_runner::name() const noexcept { return core_->tracker.name(); }

}  // namespace pendop::posix
