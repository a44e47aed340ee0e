// SPDX-License-Identifier: MIT
#include <pendop/host/operation_engine.hpp>

#include <pendop/host/invoke_operation.hpp>
#include <pendop/operation.hpp>

#include "engine_core.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace pendop {

namespace detail {

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
  const auto stamp = tracker.note_progress(id, platform->now());
  if (!stamp) {
    stopped_op.store(id, std::memory_order_release);
    lk.unlock();
    return exit_state::terminate;
  }
  if (deliver_progress(lk, *stamp, p) == exit_state::proceed) return exit_state::proceed;
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

bool engine_core::stop(stop_reason why, final_report f, when_settled settled) {
  std::unique_lock lk(mu);
  const bool after_timer = stop_driver == driver::timer;  // terminate() called (or under way)
  const auto outcome = latch(why);
  lk.unlock();
  switch (outcome) {
    case resource_tracker::stop_outcome::started:
      finish_stop(why, f, /*call_terminate=*/!after_timer);
      if (settled == when_settled::force_down) settle_forced(why, f);
      return true;
    case resource_tracker::stop_outcome::already_stopping:
      if (settled == when_settled::leave) return false;
      wait_for_other_stop();
      if (settled == when_settled::force_down) settle_forced(why, f);
      return false;
    case resource_tracker::stop_outcome::nothing_pending:
      break;
  }
  if (settled == when_settled::leave) return false;
  std::unique_lock control(control_mu);
  lk.lock();
  if (tracker.pending()) {
    // An operation started between the latch and control_mu: stop that one.
    lk.unlock();
    control.unlock();
    return stop(why, f, settled);
  }
  const resource_state was = tracker.state();
  lk.unlock();
  if (settled != when_settled::if_busy || was == resource_state::online) {
    if (std::string text; !invoke_terminate(*res, &text)) write(log_level::error, text);
  }
  reap_previous_worker();
  lk.lock();
  std::optional<status_report> down;
  if (settled == when_settled::force_down) {
    down = tracker.force_down(why, platform->now());
  } else if (settled == when_settled::terminate || was == resource_state::online) {
    down = tracker.settle(why, platform->now());
  }
  if (f == final_report::withhold) down.reset();
  deliver(lk, std::move(down), /*barrier=*/true);
  return false;
}

void engine_core::settle_forced(stop_reason why, final_report f) {
  std::lock_guard control(control_mu);
  std::unique_lock lk(mu);
  auto down = tracker.force_down(why, platform->now());
  if (f == final_report::withhold) down.reset();
  deliver(lk, std::move(down), /*barrier=*/true);
}

// The synchronous drive for a host without timers: `expire`, then the
// body's bounded wait and the zombie check that the timers would run.
bool engine_core::enforce_deadline() {
  const auto stopped = expire();
  if (!stopped) return false;
  {
    std::unique_lock lk(mu);
    idle.wait_for(lk, options.stop_wait,
                  [&] { return tracker.operation_id() != *stopped || !tracker.pending(); });
  }
  reap_overdue(*stopped);
  std::unique_lock lk(mu);
  deliver(lk, std::nullopt, /*barrier=*/true);
  return true;
}

std::optional<time_point> engine_core::deadline() const {
  std::lock_guard lk(mu);
  return tracker.deadline();
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
  if (options.deadline.lead < duration::zero()) {
    return make_error(errc::invalid_argument,
                      fmt::format("operation engine for \"{}\": the deadline lead is negative",
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
    if (core_) (void)shutdown();
    core_ = std::move(other.core_);
  }
  return *this;
}

operation_engine::~operation_engine() {
  if (!core_) return;
  try {
    (void)shutdown();
  } catch (...) {
    // Formatting a note can only fail on exhausted memory; nothing to report to.
  }
}

result<started_operation> operation_engine::start(operation_kind kind, completion done,
                                                  operation_details details) {
  auto started = core_->start(kind, std::move(done), std::move(details));
  // Armed with no engine lock held: the timers may run a stop at once.
  if (started && core_->watch.active()) {
    if (const auto d = core_->deadline()) core_->watch.watch(*core_, *d);
  }
  return started;
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
  (void)core_->stop(why, f, detail::engine_core::when_settled::terminate);
}

bool operation_engine::stop_pending(stop_reason why, final_report f) {
  return core_->stop(why, f, detail::engine_core::when_settled::leave);
}

void operation_engine::force_down(stop_reason why, final_report f) {
  (void)core_->stop(why, f, detail::engine_core::when_settled::force_down);
}

result<bool> operation_engine::fail(std::string why, std::uint64_t online) {
  auto& c = *core_;
  std::unique_lock lk(c.mu);
  if (online != 0 && (c.tracker.operation_id() != online ||
                      c.tracker.state() != resource_state::online)) {
    return make_error(errc::invalid_state,
                      fmt::format("failure of resource \"{}\" not recorded: Online {} has ended "
                                  "(the resource is {} after operation {})",
                                  c.tracker.name(), online, to_string(c.tracker.state()),
                                  c.tracker.operation_id()));
  }
  auto failed = c.tracker.fail(std::move(why), c.platform->now());
  if (!failed) return failed.error();
  const bool changed = failed->has_value();
  c.deliver(lk, std::move(*failed));
  if (changed) {
    std::lock_guard control(c.control_mu);
    // ResApi: Failed first, then Terminate.
    if (std::string text; !invoke_terminate(*c.res, &text)) c.write(log_level::error, text);
  }
  return changed;
}

bool operation_engine::enforce_deadline() { return core_->enforce_deadline(); }

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

void operation_engine::refuse_starts() {
  std::lock_guard lk(core_->mu);
  core_->closed = true;
}

void operation_engine::close(final_report f) {
  refuse_starts();
  (void)core_->stop(stop_reason::shutdown, f, detail::engine_core::when_settled::if_busy);
  release();
}

bool operation_engine::shutdown() {
  refuse_starts();
  const bool stopped = stop_pending(stop_reason::shutdown, final_report::send);
  release();
  return stopped;
}

void operation_engine::release() {
  core_->watch.cancel();
  std::lock_guard control(core_->control_mu);
  core_->reap_previous_worker();
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

std::optional<time_point> operation_engine::deadline() const { return core_->deadline(); }

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
