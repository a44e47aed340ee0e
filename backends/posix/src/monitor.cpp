// SPDX-License-Identifier: MIT
#include <pendop/posix/monitor.hpp>

#include <pendop/invoke_operation.hpp>
#include <pendop/restart_policy.hpp>
#include <pendop/posix/asio_scheduler.hpp>
#include <pendop/posix/resource_runner.hpp>
#include <pendop/posix/thread_pool_executor.hpp>

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace pendop::posix {

namespace detail {

namespace {

}  // namespace

struct entry;

// Calls in flight, by DeadlockTimeout deadline. One timer for the whole
// monitor watches the earliest, so a call costs no timer of its own.
using deadline_watch = std::multimap<time_point, std::pair<std::weak_ptr<entry>, std::uint64_t>>;

// A call into resource code in flight.
struct call_record {
  std::string entry_point;
  deadline_watch::iterator watch_it;
  bool deadlocked = false;
};

// One hosted resource. Guarded by monitor_core::mu, except `runner`, which
// is set once at add() and is itself thread-safe.
struct entry {
  entry(std::string n, std::shared_ptr<resource> r, const resource_properties& p)
      : name(std::move(n)), res(std::move(r)), props(p), policy(p) {}

  const std::string name;
  const std::shared_ptr<resource> res;
  const resource_properties props;
  std::unique_ptr<resource_runner> runner;

  resource_state state = resource_state::offline;
  restart_policy policy;
  scheduler::timer_id looks_timer = 0;
  scheduler::timer_id is_timer = 0;
  scheduler::timer_id restart_timer = 0;
  std::optional<time_point> next_restart;
  bool health_busy = false;
  bool quarantined = false;
  std::map<std::uint64_t, call_record> calls;

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

// Locks: `mu` guards every entry field, the entry map, the subscribers and
// the event queue; it is never held while resource code, a runner method or
// a subscriber runs. `delivery_mu` lets one thread at a time deliver queued
// events, in queue order.
struct monitor_core : std::enable_shared_from_this<monitor_core> {
  monitor_core(std::shared_ptr<scheduler> s, std::shared_ptr<call_executor> e, duration wait)
      : clock(std::move(s)), exec(std::move(e)), stop_wait(wait), epoch(clock->now()) {}

  // --- events ---------------------------------------------------------------
  void push(const entry& e, event_kind kind, std::string detail = {}) {
    monitor_event ev;
    ev.at = clock->now();
    ev.resource = e.name;
    ev.kind = kind;
    ev.from = e.state;
    ev.to = e.state;
    ev.detail = std::move(detail);
    events.push_back(std::move(ev));
  }

  void flush() {
    while (true) {
      std::unique_lock delivering(delivery_mu, std::try_to_lock);
      if (!delivering.owns_lock()) return;  // the delivering thread takes ours too
      delivery_thread.store(std::this_thread::get_id());
      while (true) {
        monitor_event ev;
        std::vector<event_sink> sinks;
        {
          std::lock_guard lk(mu);
          if (events.empty()) break;
          ev = std::move(events.front());
          events.pop_front();
          for (const auto& [id, s] : subscribers) sinks.push_back(s);
        }
        for (const auto& s : sinks) {
          try {
            s(ev);
          } catch (...) {
            // A subscriber's failure must not stop the monitor.
          }
        }
      }
      delivery_thread.store(std::thread::id{});
      delivering.unlock();
      std::lock_guard lk(mu);
      if (events.empty()) return;  // else an event arrived after our last look
    }
  }

  // Removes a subscriber; from outside a subscriber, waits for a delivery
  // in progress, so the sink is not called once this returns.
  void unsubscribe(std::uint64_t id) noexcept {
    {
      std::lock_guard lk(mu);
      subscribers.erase(id);
    }
    await_delivery();
  }

  // Waits until no other thread is delivering events, so a sink removed
  // before this call is never called after it. A no-op inside a sink.
  void await_delivery() {
    if (delivery_thread.load() == std::this_thread::get_id()) return;
    std::lock_guard delivering(delivery_mu);
  }

  // --- lookups --------------------------------------------------------------
  result<entry_ptr> find(std::string_view name) const {
    std::lock_guard lk(mu);
    return find_locked(name);
  }

  result<entry_ptr> find_locked(std::string_view name) const {
    const auto it = entries.find(name);
    if (it != entries.end()) return it->second;
    std::string known;
    for (const auto& [n, e] : entries) known += (known.empty() ? "" : ", ") + n;
    return make_error(errc::unknown_resource,
                      fmt::format("unknown resource \"{}\" (known: {})", name,
                                  known.empty() ? "none" : known));
  }

  // --- timers (mu held) ----------------------------------------------------
  void cancel_timer(scheduler::timer_id& id) {
    if (id != 0) clock->cancel(id);
    id = 0;
  }

  void cancel_health(entry& e) {
    cancel_timer(e.looks_timer);
    cancel_timer(e.is_timer);
  }

  void cancel_all_timers(entry& e) {
    cancel_health(e);
    cancel_timer(e.restart_timer);
    e.next_restart.reset();
  }

  template <class Fn>
  scheduler::timer_id at(time_point when, const entry_ptr& e, Fn fn) {
    return clock->schedule_at(
        when, [weak = weak_from_this(), we = std::weak_ptr<entry>(e), fn = std::move(fn)] {
          auto self = weak.lock();
          auto ent = we.lock();
          if (self && ent) (self.get()->*fn)(ent);
        });
  }

  void schedule_looks(const entry_ptr& e) {
    cancel_timer(e->looks_timer);
    e->looks_timer =
        at(clock->now() + e->props.looks_alive_poll_interval, e, &monitor_core::looks_tick);
  }

  void schedule_is(const entry_ptr& e) {
    cancel_timer(e->is_timer);
    e->is_timer = at(clock->now() + e->props.is_alive_poll_interval, e, &monitor_core::is_tick);
  }

  // --- calls into resource code ---------------------------------------------
  // Runs `fn` on the executor with a DeadlockTimeout watch named `entry_point`.
  void call(const entry_ptr& e, std::string entry_point, std::function<void()> fn) {
    std::uint64_t id = 0;
    {
      std::lock_guard lk(mu);
      id = next_call++;
      call_record& rec = e->calls[id];
      rec.entry_point = std::move(entry_point);
      const time_point deadline = clock->now() + e->props.deadlock_timeout;
      rec.watch_it = watch.emplace(deadline, std::pair{std::weak_ptr<entry>(e), id});
      if (watch_timer == 0 || deadline < watch_at) arm_watch(deadline);
    }
    exec->execute([self = shared_from_this(), e, id, fn = std::move(fn)] {
      fn();
      self->call_returned(e, id);
    });
  }

  void call_returned(const entry_ptr& e, std::uint64_t id) {
    {
      std::lock_guard lk(mu);
      const auto it = e->calls.find(id);
      if (it == e->calls.end()) return;
      if (it->second.deadlocked) {
        push(*e, event_kind::late_return,
             fmt::format("{} returned after DeadlockTimeout", it->second.entry_point));
      } else {
        watch.erase(it->second.watch_it);  // the watch timer re-arms itself when it fires
      }
      e->calls.erase(it);
    }
    flush();
  }

  // (mu held) Arms the one watch timer at `when`.
  void arm_watch(time_point when) {
    cancel_timer(watch_timer);
    watch_at = when;
    watch_timer = clock->schedule_at(when, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->watch_tick();
    });
  }

  // Reports every call whose DeadlockTimeout has run out, then watches the next.
  void watch_tick() {
    std::vector<std::pair<entry_ptr, std::uint64_t>> expired;
    {
      std::lock_guard lk(mu);
      watch_timer = 0;
      const time_point now = clock->now();
      while (!watch.empty() && watch.begin()->first <= now) {
        auto node = watch.extract(watch.begin());
        if (auto e = node.mapped().first.lock()) expired.emplace_back(std::move(e), node.mapped().second);
      }
      if (!watch.empty()) arm_watch(watch.begin()->first);
    }
    for (const auto& [e, id] : expired) on_deadlock(e, id);
  }

  void on_deadlock(const entry_ptr& e, std::uint64_t id) {
    bool fail_it = false;
    {
      std::lock_guard lk(mu);
      const auto it = e->calls.find(id);
      if (it == e->calls.end()) return;
      it->second.deadlocked = true;
      ++e->deadlocks;
      e->quarantined = true;
      cancel_all_timers(*e);
      const std::string& ep = it->second.entry_point;
      e->last_error = fmt::format("{} did not return within DeadlockTimeout {}ms", ep,
                                  e->props.deadlock_timeout.count());
      push(*e, event_kind::deadlock, e->last_error + "; quarantined until an admin Online");
      fail_it = ep == "LooksAlive" || ep == "IsAlive";  // a stuck Terminate is not called again
    }
    flush();
    if (fail_it) {
      exec->execute([self = shared_from_this(), e] {
        self->fail_and_terminate(e, "deadlock in a health check");
      });
    }
  }

  // --- reports from runners -------------------------------------------------
  void on_report(const entry_ptr& e, const status_report& r) {
    {
      std::lock_guard lk(mu);
      const resource_state from = e->state;
      e->state = r.state;
      if (r.final && r.reason != stop_reason::none) {
        ++e->terminates;
        monitor_event t{r.at, e->name, event_kind::terminated, from, from, r.operation,
                        r.checkpoint, r.reason, {}, r.error_text};
        events.push_back(std::move(t));
      }
      events.push_back(monitor_event{r.at, e->name, event_kind::status, from, r.state, r.operation,
                                     r.checkpoint, r.reason, r.progress, r.error_text});
      if (r.final) settled_cv.notify_all();
      if (is_pending(r.state)) {
        cancel_health(*e);  // the runner watches the operation's deadline
      } else {
        settled(e, r);
      }
    }
    flush();
  }

  // A final report (mu held).
  void settled(const entry_ptr& e, const status_report& r) {
    const std::size_t zombies = e->runner ? e->runner->zombies() : 0;
    if (zombies > e->zombies_seen) {
      e->zombies_seen = zombies;
      push(*e, event_kind::zombie, r.error_text);
    }
    switch (r.state) {
      case resource_state::online:
        e->policy.on_online();
        if (!shutting_down && !e->quarantined) {
          schedule_looks(e);
          schedule_is(e);
        }
        break;
      case resource_state::failed:
        cancel_health(*e);
        ++e->failures;
        e->last_error = r.error_text;
        decide_restart(e, r.at);
        break;
      default:
        cancel_health(*e);
        break;
    }
  }

  void decide_restart(const entry_ptr& e, time_point now) {
    if (shutting_down || e->quarantined) return;
    const restart_decision d = e->policy.on_failure(now);
    if (d.escalate) push(*e, event_kind::escalated, d.why);
    if (d.what == restart_decision::action::stay_failed) {
      push(*e, event_kind::gave_up, d.why);
      return;
    }
    cancel_timer(e->restart_timer);
    e->next_restart = d.at;
    e->restart_timer = at(d.at, e, &monitor_core::restart_tick);
    push(*e, event_kind::restart_scheduled, d.why);
  }

  // --- timer callbacks (scheduler thread) -----------------------------------
  void restart_tick(entry_ptr e) {
    {
      std::lock_guard lk(mu);
      e->restart_timer = 0;
      e->next_restart.reset();
      if (e->state != resource_state::failed || shutting_down || e->quarantined) return;
      ++e->restarts;
      push(*e, event_kind::restart, fmt::format("automatic Online, attempt {}", e->restarts));
    }
    flush();
    call(e, "Online", [self = shared_from_this(), e] {
      auto started = e->runner->online();
      if (!started) {
        {
          std::lock_guard lk(self->mu);
          self->push(*e, event_kind::rejected, started.error().message);
        }
        self->flush();
      }
    });
  }

  void looks_tick(entry_ptr e) {
    {
      std::lock_guard lk(mu);
      e->looks_timer = 0;
      if (e->state != resource_state::online || e->quarantined || shutting_down) return;
      schedule_looks(e);
      if (e->health_busy) return;  // the previous check is still running
      e->health_busy = true;
    }
    call(e, "LooksAlive", [self = shared_from_this(), e] {
      std::string why;
      const bool alive = invoke_looks_alive(*e->res, &why);
      self->after_looks_alive(e, alive, why);
    });
  }

  void is_tick(entry_ptr e) {
    {
      std::lock_guard lk(mu);
      e->is_timer = 0;
      if (e->state != resource_state::online || e->quarantined || shutting_down) return;
      schedule_is(e);
      if (e->health_busy) return;
      e->health_busy = true;
    }
    run_is_alive(e);
  }

  void run_is_alive(const entry_ptr& e) {
    call(e, "IsAlive", [self = shared_from_this(), e] {
      std::string why;
      const bool alive = invoke_is_alive(*e->res, &why);
      self->after_is_alive(e, alive, why);
    });
  }

  void after_looks_alive(const entry_ptr& e, bool alive, const std::string& why) {
    {
      std::lock_guard lk(mu);
      if (alive || e->state != resource_state::online || shutting_down) {
        e->health_busy = false;
        return;
      }
      ++e->looks_alive_failures;
      push(*e, event_kind::looks_alive_failed,
           (why.empty() ? std::string("LooksAlive returned FALSE") : why) +
               "; calling IsAlive now");
    }
    flush();
    run_is_alive(e);  // health_busy stays set until IsAlive answers
  }

  void after_is_alive(const entry_ptr& e, bool alive, const std::string& why) {
    {
      std::lock_guard lk(mu);
      e->health_busy = false;
      if (alive || e->state != resource_state::online || shutting_down) return;
      ++e->is_alive_failures;
      push(*e, event_kind::is_alive_failed,
           (why.empty() ? std::string("IsAlive returned FALSE") : why) +
               "; Failed, then Terminate");
    }
    flush();
    call(e, "Terminate", [this, e, why] {  // `call` keeps this core alive meanwhile
      fail_and_terminate(e, why.empty() ? std::string("IsAlive returned FALSE") : why);
    });
  }

  // A failed health check: the runner makes the resource Failed, then calls
  // its terminate(); the Terminate is an event and counted like any other.
  void fail_and_terminate(const entry_ptr& e, const std::string& why) {
    {
      std::lock_guard lk(mu);
      if (e->state != resource_state::online) return;  // moved on meanwhile
    }
    if (!e->runner->fail(why)) return;
    {
      std::lock_guard lk(mu);
      ++e->terminates;
      push(*e, event_kind::terminated, "after a failed health check: " + why);
      events.back().reason = stop_reason::terminate_called;
    }
    flush();
  }

  // --- admin requests -------------------------------------------------------
  result<entry_ptr> admin(std::string_view name, std::string_view what) {
    std::lock_guard lk(mu);
    if (shutting_down) {
      return make_error(errc::shutting_down,
                        fmt::format("{} of \"{}\" refused: the monitor is shutting down", what, name));
    }
    auto e = find_locked(name);
    if (!e) return e;
    entry& ent = **e;
    ent.quarantined = false;
    ent.policy.reset();
    cancel_timer(ent.restart_timer);
    ent.next_restart.reset();
    push(ent, event_kind::request, std::string(what));
    return e;
  }

  result<resource_state> start(std::string_view name, bool online) {
    auto e = admin(name, online ? "Online" : "Offline");
    flush();
    if (!e) return e.error();
    auto r = online ? (*e)->runner->online() : (*e)->runner->offline();
    if (!r) {
      {
        std::lock_guard lk(mu);
        push(**e, event_kind::rejected, r.error().message);
      }
      flush();
    }
    return r;
  }

  const std::shared_ptr<scheduler> clock;
  const std::shared_ptr<call_executor> exec;
  const duration stop_wait;
  const time_point epoch;

  mutable std::mutex mu;
  mutable std::condition_variable settled_cv;  // with mu: an operation reached its final state
  std::map<std::string, entry_ptr, std::less<>> entries;
  std::map<std::uint64_t, event_sink> subscribers;
  std::deque<monitor_event> events;
  std::uint64_t next_subscriber = 1;
  std::uint64_t next_call = 1;
  deadline_watch watch;
  scheduler::timer_id watch_timer = 0;
  time_point watch_at{};
  bool shutting_down = false;
  std::optional<shutdown_report> shutdown_result;
  std::mutex delivery_mu;
  std::atomic<std::thread::id> delivery_thread{};
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

 private:
  const std::weak_ptr<monitor_core> core_;
  const std::weak_ptr<entry> entry_;
};

}  // namespace detail

result<monitor> monitor::create(monitor_options options) {
  if (options.stop_wait < duration::zero()) {
    return make_error(errc::invalid_argument, "monitor: stop_wait is negative");
  }
  auto clock = options.clock ? std::move(options.clock) : std::make_shared<asio_scheduler>();
  auto exec = options.executor ? std::move(options.executor)
                               : std::make_shared<thread_pool_executor>();
  return monitor(std::make_shared<detail::monitor_core>(std::move(clock), std::move(exec),
                                                        options.stop_wait));
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
  {
    std::lock_guard lk(core_->mu);
    core_->subscribers.clear();
  }
  core_->await_delivery();
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
  ro.timers = c.clock;  // the runner watches its own PendingTimeout ...
  ro.stops = std::make_shared<detail::terminate_calls>(c.weak_from_this(), e);  // ... and stops
                                                                               // through call()
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

result<resource_state> monitor::online(std::string_view name) { return core_->start(name, true); }

result<resource_state> monitor::offline(std::string_view name) { return core_->start(name, false); }

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
  std::unique_lock lk(core_->mu);
  if (core_->settled_cv.wait_for(lk, timeout, [&] { return !is_pending(e->state); })) {
    return e->state;
  }
  return make_error(errc::wait_timeout,
                    fmt::format("resource \"{}\" is still {} after waiting {} ms", e->name,
                                to_string(e->state),
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
  std::lock_guard lk(core_->mu);
  const auto id = core_->next_subscriber++;
  if (sink) core_->subscribers.emplace(id, std::move(sink));
  return subscription(core_, id);
}

void monitor::unsubscribe(std::uint64_t id) { core_->unsubscribe(id); }

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
  if (auto core = core_.lock()) core->unsubscribe(id);
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
        e->runner->close();  // a restart racing the shutdown cannot start after this
        if (e->runner->wait_idle(graceful)) {
          how = ending::offline;
        } else {
          stopped_by_terminate = e->runner->stop_pending(stop_reason::shutdown);
        }
      } else {
        e->runner->close();
        stopped_by_terminate = e->runner->stop_pending(stop_reason::shutdown);
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
                           std::chrono::duration_cast<std::chrono::milliseconds>(bound).count()));
      }
    }
    c.shutdown_result = report;
  }
  c.flush();
  return report;
}

time_point monitor::epoch() const noexcept { return core_->epoch; }

}  // namespace pendop::posix
