// SPDX-License-Identifier: MIT
#include <pendop/posix/resource_runner.hpp>

#include <pendop/operation_engine.hpp>
#include <pendop/worker_platform.hpp>
#include <pendop/posix/steady_time_source.hpp>
#include <pendop/posix/worker.hpp>

#include <string>
#include <utility>

namespace pendop::posix {

namespace detail {

namespace {

// The engine's seam on POSIX: `worker` threads, sleeping on a time_source.
class posix_platform final : public worker_platform {
 public:
  explicit posix_platform(std::shared_ptr<time_source> clock) : clock_(std::move(clock)) {}

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
  auto clock = options.clock ? std::move(options.clock) : make_steady_time_source();
  engine_options eo;
  eo.name = std::move(options.name);
  eo.pending_timeout = options.properties.pending_timeout;
  eo.stop_wait = options.stop_wait;
  eo.initial_state = options.initial_state;
  eo.operation_limit = options.operation_limit;
  auto engine = operation_engine::create(
      std::move(res), std::make_unique<detail::posix_platform>(std::move(clock)),
      [sink = std::move(sink)](const status_report& r) {
        sink(r);
        return exit_state::proceed;
      },
      std::move(eo));
  if (!engine) return engine.error();
  return resource_runner(std::move(*engine));
}

resource_runner::resource_runner(operation_engine engine) noexcept : engine_(std::move(engine)) {}

resource_runner::resource_runner(resource_runner&&) noexcept = default;
resource_runner& resource_runner::operator=(resource_runner&&) noexcept = default;
resource_runner::~resource_runner() = default;

result<resource_state> resource_runner::online() {
  return engine_.start(operation_kind::online);
}

result<resource_state> resource_runner::offline() {
  return engine_.start(operation_kind::offline);
}

void resource_runner::terminate(stop_reason why) {
  engine_.terminate(why, final_report::send);
}

bool resource_runner::check_pending_timeout() { return engine_.check_timeout(); }

bool resource_runner::stop_pending(stop_reason why) {
  return engine_.stop_pending(why, final_report::send);
}

bool resource_runner::wait_idle(duration timeout) { return engine_.wait_idle(timeout); }

void resource_runner::close() { engine_.close(); }

result<void> resource_runner::fail(std::string why) { return engine_.fail(std::move(why)); }

resource_state resource_runner::state() const { return engine_.state(); }

std::optional<time_point> resource_runner::pending_deadline() const {
  return engine_.deadline();
}

std::size_t resource_runner::zombies() const noexcept { return engine_.zombies(); }

std::size_t resource_runner::sink_errors() const noexcept {
  return engine_.channel_errors();
}

const std::string& resource_runner::name() const noexcept { return engine_.name(); }

}  // namespace pendop::posix
