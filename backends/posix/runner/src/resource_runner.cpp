// SPDX-License-Identifier: MIT
#include <pendop/posix/resource_runner.hpp>

#include <pendop/host/deadline_timers.hpp>
#include <pendop/host/operation_engine.hpp>
#include <pendop/host/worker_platform.hpp>
#include <pendop/platform/process_fence.hpp>
#include <pendop/posix/steady_time_source.hpp>
#include <pendop/posix/thread_lot.hpp>
#include <pendop/posix/thread_pool_executor.hpp>
#include <pendop/posix/worker.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace pendop::posix {

namespace detail {

namespace {

// The engine's seam on POSIX: `worker` threads, sleeping on a time_source.
class posix_platform final : public worker_platform {
 public:
  posix_platform(std::shared_ptr<time_source> clock, std::shared_ptr<thread_lot> threads)
      : clock_(std::move(clock)), steady_(clock_->is_steady_clock()), w_(std::move(threads)) {}

  time_point now() const noexcept override {
    return steady_ ? std::chrono::steady_clock::now() : clock_->now();
  }

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

  bool has_process_fence() const noexcept override { return platform::process_fence_ready(); }
  void process_fence() noexcept override { platform::process_fence(); }

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
  const bool steady_;  // clock_ is steady_clock: read it directly
  worker w_;
};

// The engine's deadline timers on POSIX: the runner's `scheduler`, and its
// `stops` executor for the calls into resource code.
class posix_deadline_timers final : public deadline_timers {
 public:
  posix_deadline_timers(std::shared_ptr<scheduler> timers, std::shared_ptr<call_executor> calls)
      : timers_(std::move(timers)), calls_(std::move(calls)) {}

  time_point now() const noexcept override { return timers_->now(); }
  timer_id at(time_point when, task fn) override {
    return timers_->schedule_at(when, std::move(fn));
  }
  void cancel(timer_id id) noexcept override { (void)timers_->cancel(id); }
  void call(task fn) override { calls_->execute(std::move(fn)); }
  timer_id call_at(time_point when, task fn) override {
    return calls_->execute_at(when, std::move(fn));
  }
  void cancel_call(timer_id id) noexcept override { (void)calls_->cancel(id); }
  void wait_until(time_point when) override { (void)timers_->wait_until({}, when); }

 private:
  const std::shared_ptr<scheduler> timers_;
  const std::shared_ptr<call_executor> calls_;
};

}  // namespace

struct runner_state {
  operation_engine engine;
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
  eo.initial_state = options.initial_state;
  eo.operation_limit = options.operation_limit;
  eo.on_failure = options.on_failure;
  if (options.timers) {
    eo.timers = std::make_shared<detail::posix_deadline_timers>(std::move(options.timers),
                                                                std::move(options.tuning.stops));
    eo.deadline.lead = options.tuning.stop_lead;
    eo.deadline.calls_wait_for_deadlines = options.tuning.stops_wait_for_deadlines;
  }
  auto engine = operation_engine::create(
      std::move(res),
      std::make_unique<detail::posix_platform>(
          std::move(clock), options.threads ? std::move(options.threads)
                                            : std::make_shared<thread_lot>(1)),
      [sink = std::move(sink)](const status_report& r) {
        sink(r);
        return exit_state::proceed;
      },
      std::move(eo), options.log);
  if (!engine) return engine.error();
  return resource_runner(std::make_shared<detail::runner_state>(std::move(*engine)));
}

resource_runner::resource_runner(std::shared_ptr<detail::runner_state> state) noexcept
    : state_(std::move(state)) {}

resource_runner::resource_runner(resource_runner&&) noexcept = default;
resource_runner& resource_runner::operator=(resource_runner&&) noexcept = default;
resource_runner::~resource_runner() = default;

result<started_operation> resource_runner::online(completion done) {
  return state_->engine.start(operation_kind::online, std::move(done));
}

result<started_operation> resource_runner::offline(completion done) {
  return state_->engine.start(operation_kind::offline, std::move(done));
}

result<status_report> resource_runner::wait(std::uint64_t id, duration timeout) const {
  return state_->engine.wait(id, timeout);
}

void resource_runner::terminate(stop_reason why) {
  state_->engine.terminate(why, final_report::send);
}

bool resource_runner::check_pending_timeout() { return state_->engine.enforce_deadline(); }

void resource_runner::force_down(stop_reason why) {
  state_->engine.force_down(why, final_report::send);
}

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

void resource_runner::refuse_starts() { state_->engine.refuse_starts(); }

void resource_runner::close() { state_->engine.close(final_report::send); }

bool resource_runner::shutdown() { return state_->engine.shutdown(); }

result<bool> resource_runner::fail(std::string why, std::uint64_t online) {
  return state_->engine.fail(std::move(why), online);
}

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
