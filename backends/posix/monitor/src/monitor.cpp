// SPDX-License-Identifier: MIT
#include <pendop/posix/monitor.hpp>

#include <pendop/posix/asio_scheduler.hpp>
#include <pendop/posix/resource_runner.hpp>
#include <pendop/posix/thread_pool_executor.hpp>

#include "monitor_core.hpp"

#include <fmt/format.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <utility>

namespace pendop::posix {

result<monitor> monitor::create(monitor_options options) {
  if (options.stop_wait < duration::zero()) {
    return make_error(errc::invalid_argument, "monitor: stop_wait is negative");
  }
  if (options.stop_lead && *options.stop_lead < duration::zero()) {
    return make_error(errc::invalid_argument, "monitor: stop_lead is negative");
  }
  // A lead only on a clock that moves by itself.
  const duration lead = options.stop_lead ? *options.stop_lead
                        : options.timers  ? duration::zero()
                                          : duration(std::chrono::microseconds(500));
  const bool own_clock = !options.timers;
  auto clock = options.timers ? std::move(options.timers) : std::make_shared<asio_scheduler>();
  auto exec = options.executor ? std::move(options.executor)
                               : std::make_shared<thread_pool_executor>();
  if (options.poll_slack < duration::zero()) {
    return make_error(errc::invalid_argument, "monitor: poll_slack is negative");
  }
  auto core = std::make_shared<detail::monitor_core>(std::move(clock), std::move(exec),
                                                     options.stop_wait, options.poll_slack,
                                                     options.grow_futex_hash);
  core->stop_lead = lead;
  core->steady_timers = own_clock;
  return monitor(std::move(core));
}

monitor::monitor(std::shared_ptr<detail::monitor_core> core) noexcept : core_(std::move(core)) {}
monitor::monitor(monitor&&) noexcept = default;

monitor& monitor::operator=(monitor&& other) noexcept {
  if (this != &other) {
    monitor old(std::move(core_));  // shut down and detached from its subscribers
    core_ = std::move(other.core_);
  }
  return *this;
}

monitor::~monitor() {
  if (!core_) return;
  try {
    (void)shutdown(core_->stop_wait);
  } catch (...) {
    // Only allocation can fail here; nothing is left to report to.
  }
  // Calls abandoned by the shutdown may still report; their events must not
  // reach subscribers that may be gone once the monitor is.
  core_->events.clear();
}

result<void> monitor::add(std::string name, std::shared_ptr<resource> res,
                          resource_properties properties) {
  auto& c = *core_;
  if (name.empty()) return make_error(errc::invalid_argument, "monitor::add: the name is empty");
  if (!res) {
    return make_error(errc::invalid_argument,
                      fmt::format("monitor::add: resource \"{}\" is null", name));
  }
  if (auto valid = validate(properties); !valid) {
    return make_error(errc::property_out_of_range,
                      fmt::format("resource \"{}\": {}", name, valid.error().message));
  }
  auto e = std::make_shared<detail::entry>(name, res, properties);
  runner_options ro;
  ro.name = name;
  ro.properties = properties;
  ro.stop_wait = c.stop_wait;
  if (properties.operation_limit.count() > 0) ro.operation_limit = properties.operation_limit;
  ro.threads = c.threads;
  ro.tuning.stop_lead = c.stop_lead;
  ro.tuning.stops_wait_for_deadlines = c.steady_timers;  // the call pool waits for deadlines itself
  ro.timers = c.clock;  // the runner watches its own PendingTimeout ...
  ro.tuning.stops = std::make_shared<detail::terminate_calls>(c.weak_from_this(), e);  // ... and stops
                                                                               // through call()
  // The body's log lines become `log` events. The line may come while the
  // engine holds its own locks, so subscribers get it from the timers'
  // thread, never from inside the call.
  ro.log = [weak = c.weak_from_this(), we = std::weak_ptr<detail::entry>(e)](
               log_level level, std::string_view text) {
    auto self = weak.lock();
    auto ent = we.lock();
    if (!self || !ent) return;
    {
      std::lock_guard lk(self->mu);
      self->push(*ent, event_kind::log, fmt::format("{}: {}", to_string(level), text));
    }
    self->clock->schedule_at(self->clock->now(), [weak] {
      if (auto s = weak.lock()) s->flush();
    });
  };
  ro.on_failure = [weak = c.weak_from_this(), we = std::weak_ptr<detail::entry>(e)](
                      std::uint64_t operation, std::string why) {
    auto self = weak.lock();
    auto ent = we.lock();
    if (self && ent) self->failure_reported(ent, operation, std::move(why));
  };
  auto runner = resource_runner::create(
      res,
      [weak = c.weak_from_this(), we = std::weak_ptr<detail::entry>(e)](const status_report& r) {
        auto self = weak.lock();
        auto ent = we.lock();
        if (self && ent) self->on_report(ent, r);
      },
      std::move(ro));
  if (!runner) return runner.error();
  e->runner = std::make_unique<resource_runner>(std::move(*runner));
  {
    std::lock_guard lk(c.mu);
    if (c.shutting_down) {
      return make_error(errc::shutting_down,
                        fmt::format("monitor::add: \"{}\" refused: the monitor is shutting down", name));
    }
    if (c.entries.contains(name)) {
      return make_error(errc::duplicate_resource,
                        fmt::format("monitor::add: a resource named \"{}\" exists already", name));
    }
    c.entries.emplace(name, e);
    c.push(*e, event_kind::added, to_json(properties));
  }
  c.flush();
  return ok();
}

result<void> monitor::set_properties(std::string_view name, const resource_properties& properties) {
  auto& c = *core_;
  if (auto valid = validate(properties); !valid) {
    return make_error(errc::property_out_of_range,
                      fmt::format("resource \"{}\": {}", name, valid.error().message));
  }
  auto e = c.admin_target(name, "set_properties");
  if (!e) return e.error();
  std::optional<duration> limit;
  if (properties.operation_limit.count() > 0) limit = properties.operation_limit;
  if (auto set = (*e)->runner->set_limits(properties.pending_timeout, limit); !set) {
    return set.error();
  }
  {
    std::lock_guard lk(c.mu);
    detail::entry& ent = **e;
    ent.props = properties;
    ent.policy.set_properties(properties);
    // Polling that runs now restarts on the new intervals.
    if (ent.looks_scheduled) c.schedule_looks(*e);
    if (ent.is_scheduled) c.schedule_is(*e);
    c.push(ent, event_kind::reconfigured, to_json(properties));
  }
  c.flush();
  return ok();
}

result<void> monitor::remove(std::string_view name) {
  auto& c = *core_;
  auto found = c.admin_target(name, "remove");
  if (!found) return found.error();
  const detail::entry_ptr e = *found;
  {
    std::lock_guard lk(c.mu);
    if (e->removed) return make_error(errc::unknown_resource,
                                      fmt::format("resource \"{}\" is being removed", name));
    e->removed = true;
    c.cancel_all_timers(*e);
  }
  // ResApi's Close: what is pending or Online is terminated first.
  e->runner->close();
  (void)e->runner->wait_idle(c.stop_wait);  // a stop owned by another thread
  {
    std::lock_guard lk(c.mu);
    c.entries.erase(e->name);
    c.push(*e, event_kind::removed, fmt::format("left {}", to_string(e->runner->state())));
  }
  c.flush();
  return ok();
}

result<started_operation> monitor::online(std::string_view name, completion done) {
  return core_->start(name, true, std::move(done));
}

result<started_operation> monitor::offline(std::string_view name, completion done) {
  return core_->start(name, false, std::move(done));
}

result<status_report> monitor::wait(std::string_view name, std::uint64_t operation,
                                    duration timeout) const {
  auto e = core_->find(name);
  if (!e) return e.error();
  return (*e)->runner->wait(operation, timeout);
}

result<void> monitor::terminate(std::string_view name) {
  auto e = core_->admin(name, "Terminate");
  core_->flush();
  if (!e) return e.error();
  (*e)->runner->terminate(stop_reason::terminate_called);
  return ok();
}

result<resource_state> monitor::state(std::string_view name) const {
  auto e = core_->find(name);
  if (!e) return e.error();
  return (*e)->runner->state();
}

result<resource_state> monitor::wait_settled(std::string_view name, duration timeout) const {
  auto found = core_->find(name);
  if (!found) return found.error();
  const detail::entry_ptr& e = *found;
  // Idle: no operation pending and its final report delivered (its events pushed).
  if (e->runner->wait_idle(timeout)) return e->runner->state();
  return make_error(errc::wait_timeout,
                    fmt::format("resource \"{}\" is still {} after waiting {} ms", e->name,
                                to_string(e->runner->state()),
                                std::chrono::duration_cast<std::chrono::milliseconds>(timeout)
                                    .count()));
}

result<resource_diagnostics> monitor::diagnostics(std::string_view name) const {
  auto e = core_->find(name);
  if (!e) return e.error();
  const detail::entry& ent = **e;
  resource_diagnostics d;
  d.name = ent.name;
  d.state = ent.runner->state();
  d.zombies = ent.runner->zombies();
  std::lock_guard lk(core_->mu);
  d.properties = ent.props;
  d.terminates = ent.terminates;
  d.failures = ent.failures;
  d.restarts = ent.restarts;
  d.looks_alive_failures = ent.looks_alive_failures;
  d.is_alive_failures = ent.is_alive_failures;
  d.deadlocks = ent.deadlocks;
  d.quarantined = ent.quarantined;
  d.pending_deadline = ent.runner->pending_deadline();
  d.next_restart = ent.next_restart;
  d.last_error = ent.last_error;
  return d;
}

std::vector<std::string> monitor::resources() const {
  std::lock_guard lk(core_->mu);
  std::vector<std::string> names;
  for (const auto& [n, e] : core_->entries) names.push_back(n);
  return names;
}

subscription monitor::subscribe(event_sink sink) {
  return subscription(core_, core_->events.subscribe(std::move(sink)));
}

void monitor::unsubscribe(std::uint64_t id) { core_->events.unsubscribe(id); }

subscription::subscription(subscription&& other) noexcept
    : core_(std::move(other.core_)), id_(std::exchange(other.id_, 0)) {}

subscription& subscription::operator=(subscription&& other) noexcept {
  if (this != &other) {
    reset();
    core_ = std::move(other.core_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

subscription::~subscription() { reset(); }

void subscription::reset() noexcept {
  const auto id = std::exchange(id_, 0);
  if (id == 0) return;
  if (auto core = core_.lock()) core->events.unsubscribe(id);
  core_.reset();
}

shutdown_report monitor::shutdown(duration bound, online_at_shutdown online) {
  auto& c = *core_;
  std::vector<detail::entry_ptr> all;
  {
    std::lock_guard lk(c.mu);
    if (c.shutdown_result) return *c.shutdown_result;
    c.shutting_down = true;
    for (auto& [n, e] : c.entries) {
      c.cancel_all_timers(*e);
      const resource_state st = e->runner->state();
      if (is_pending(st)) {
        c.push(*e, event_kind::shutdown, "stopping the pending operation");
      } else if (st == resource_state::online && online == online_at_shutdown::take_offline) {
        c.push(*e, event_kind::shutdown, "taking the resource offline");
      }
      all.push_back(e);
    }
  }
  c.flush();

  // Each resource on the executor, all at once. An Online resource is taken
  // offline (as a cluster does before its node leaves) for up to half the
  // bound; what is pending then, or was pending already, is terminated.
  enum class ending { was_down, offline, terminated, not_stopped };
  struct tally {
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::string, ending> done;
  };
  auto t = std::make_shared<tally>();
  const duration graceful = bound / 2;
  for (const auto& e : all) {
    const bool take_offline = online == online_at_shutdown::take_offline;
    c.exec->execute([e, t, bound, graceful, take_offline] {
      ending how = ending::was_down;
      const resource_state st = e->runner->state();
      bool stopped_by_terminate = false;
      if (st == resource_state::online && take_offline && e->runner->offline()) {
        e->runner->refuse_starts();  // a restart racing the shutdown cannot start after this
        if (e->runner->wait_idle(graceful)) {
          how = ending::offline;
        } else {
          stopped_by_terminate = e->runner->stop_pending(stop_reason::shutdown);
        }
      } else {
        stopped_by_terminate = e->runner->shutdown();
      }
      if (how != ending::offline) {
        // A stop owned by another thread (a PendingTimeout, a Terminate) may
        // still be waiting for its body: count this one once it is idle.
        if (!e->runner->wait_idle(bound)) return;
        if (stopped_by_terminate || is_pending(st)) how = ending::terminated;
      }
      {
        std::lock_guard lk(t->mu);
        t->done[e->name] = how;
      }
      t->cv.notify_all();
    });
  }
  shutdown_report report;
  std::map<std::string, ending> done;
  {
    std::unique_lock lk(t->mu);
    (void)t->cv.wait_for(lk, bound, [&] { return t->done.size() == all.size(); });
    done = t->done;
  }
  for (const auto& e : all) {
    report.zombies += e->runner->zombies();
    const auto it = done.find(e->name);
    if (it == done.end()) {
      report.not_stopped.push_back(e->name);
      continue;
    }
    report.stopped.push_back(e->name);
    if (it->second == ending::offline) report.taken_offline.push_back(e->name);
    if (it->second == ending::terminated) report.terminated.push_back(e->name);
  }
  {
    std::lock_guard lk(c.mu);
    for (const auto& name : report.not_stopped) {
      if (auto e = c.find_locked(name)) {
        c.push(**e, event_kind::shutdown_incomplete,
               fmt::format("still stopping after {}ms",
                           std::chrono::duration_cast<std::chrono::milliseconds>(bound).count()),
               stop_reason::shutdown, make_error_code(errc::wait_timeout));
      }
    }
    c.shutdown_result = report;
  }
  // What the stops reported may still be queued behind a delivery on
  // another thread: every event of the shutdown reaches the subscribers
  // before it returns.
  c.events.drain();
  return report;
}

time_point monitor::epoch() const noexcept { return core_->epoch; }

}  // namespace pendop::posix
