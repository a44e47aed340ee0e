// SPDX-License-Identifier: MIT
#include "monitor_core.hpp"

#include <fmt/format.h>

#include <utility>
#include <vector>

namespace pendop::posix::detail {

// --- events -------------------------------------------------------------------

void monitor_core::push(const entry& e, event_kind kind, std::string detail, stop_reason reason,
                        std::error_code error) {
  monitor_event ev;
  ev.at = clock->now();
  ev.resource = e.name;
  ev.kind = kind;
  ev.from = e.reported;
  ev.to = e.reported;
  ev.operation = e.operation;
  ev.reason = reason;
  ev.detail = std::move(detail);
  ev.error = error;
  events.push(std::move(ev));
}

// --- lookups ------------------------------------------------------------------

result<entry_ptr> monitor_core::find(std::string_view name) const {
  std::lock_guard lk(mu);
  return find_locked(name);
}

result<entry_ptr> monitor_core::find_locked(std::string_view name) const {
  const auto it = entries.find(name);
  if (it != entries.end()) return it->second;
  std::string known;
  for (const auto& [n, e] : entries) known += (known.empty() ? "" : ", ") + n;
  return make_error(errc::unknown_resource, fmt::format("unknown resource \"{}\" (known: {})", name,
                                                        known.empty() ? "none" : known));
}

// --- timers -------------------------------------------------------------------

void monitor_core::cancel_timer(scheduler::timer_id& id) {
  if (id != 0) clock->cancel(id);
  id = 0;
}

void monitor_core::cancel_health(entry& e) {
  ++e.looks_generation;
  ++e.is_generation;
  e.looks_scheduled = false;
  e.is_scheduled = false;
}

void monitor_core::cancel_all_timers(entry& e) {
  cancel_health(e);
  cancel_timer(e.restart_timer);
  e.next_restart.reset();
}

scheduler::timer_id monitor_core::at(time_point when, const entry_ptr& e,
                                     void (monitor_core::*fn)(entry_ptr)) {
  return clock->schedule_at(when, [weak = weak_from_this(), we = std::weak_ptr<entry>(e), fn] {
    auto self = weak.lock();
    auto ent = we.lock();
    if (self && ent) (self.get()->*fn)(std::move(ent));
  });
}

// --- calls into resource code -------------------------------------------------

// Runs `fn` on the executor with a DeadlockTimeout watch named `entry_point`.
void monitor_core::call(const entry_ptr& e, std::string entry_point, std::function<void()> fn) {
  call_watch::call_id id = 0;
  {
    std::lock_guard lk(mu);
    id = begin_watch(e, std::move(entry_point));
  }
  exec->execute([self = shared_from_this(), e, id, fn = std::move(fn)] {
    fn();
    self->call_returned(e, id);
  });
}

// The DeadlockTimeout watch starts now, counting from `when`: at `when` the
// call runs at once, with nothing before it that could make it late (arming
// the watch's timer can wake the timer thread).
call_executor::timed_id monitor_core::call_at(const entry_ptr& e, std::string entry_point,
                                              time_point when, std::function<void()> fn) {
  std::lock_guard lk(mu);
  const auto watched = begin_watch(e, std::move(entry_point), when + e->props.deadlock_timeout);
  // The call's own id, set below while mu is still held: the call reads it
  // under mu, after it has run.
  auto timed = std::make_shared<call_executor::timed_id>(0);
  *timed = exec->execute_at(when, [self = shared_from_this(), e, watched, timed,
                                   fn = std::move(fn)] {
    fn();
    self->call_returned(e, watched, timed);
  });
  if (*timed == 0) {
    end_watch(watched);
  } else {
    timed_watches.emplace(*timed, watched);
  }
  return *timed;
}

bool monitor_core::cancel_at(call_executor::timed_id id) {
  if (!exec->cancel(id)) return false;  // running or gone: it ends its own watch
  std::lock_guard lk(mu);
  const auto it = timed_watches.find(id);
  if (it != timed_watches.end()) {
    end_watch(it->second);
    timed_watches.erase(it);
  }
  return true;
}

// (mu held) Ends the watch of a call that will not run.
void monitor_core::end_watch(call_watch::call_id watched) {
  callers.erase(watched);
  (void)watch.end(watched);  // the watch timer re-arms itself when it fires
}

call_watch::call_id monitor_core::begin_watch(const entry_ptr& e, std::string entry_point) {
  return begin_watch(e, std::move(entry_point), clock->now() + e->props.deadlock_timeout);
}

call_watch::call_id monitor_core::begin_watch(const entry_ptr& e, std::string entry_point,
                                              time_point deadline) {
  const auto id = watch.begin(e->name, std::move(entry_point), deadline);
  callers.emplace(id, e);
  if (watch_timer == 0 || deadline < watch_at) arm_watch(deadline);
  return id;
}

void monitor_core::call_returned(const entry_ptr& e, call_watch::call_id id,
                                 const std::shared_ptr<call_executor::timed_id>& timed) {
  {
    std::lock_guard lk(mu);
    if (timed) timed_watches.erase(*timed);
    callers.erase(id);
    const auto ended = watch.end(id);  // the watch timer re-arms itself when it fires
    if (!ended || !ended->deadlocked) return;
    push(*e, event_kind::late_return,
         fmt::format("{} returned after DeadlockTimeout", ended->entry_point), stop_reason::none,
         make_error_code(errc::deadlock));
  }
  flush();
}

void monitor_core::report_late(const entry_ptr& e, const std::string& entry_point) {
  {
    std::lock_guard lk(mu);
    push(*e, event_kind::late_return, fmt::format("{} returned after DeadlockTimeout", entry_point),
         stop_reason::none, make_error_code(errc::deadlock));
  }
  flush();
}

// (mu held) Arms the one watch timer at `when`.
void monitor_core::arm_watch(time_point when) {
  cancel_timer(watch_timer);
  watch_at = when;
  watch_timer = clock->schedule_at(when, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->watch_tick();
  });
}

// Reports every call whose DeadlockTimeout has run out, then watches the next.
void monitor_core::watch_tick() {
  std::vector<call_watch::call> expired;
  std::vector<std::shared_ptr<poll_batch>> batch_expired;
  {
    std::lock_guard lk(mu);
    watch_timer = 0;
    expired = watch.expire(clock->now());
    std::erase_if(expired, [&](const call_watch::call& c) {
      const auto it = batch_watches.find(c.id);
      if (it == batch_watches.end()) return false;
      if (auto b = it->second.lock()) batch_expired.push_back(std::move(b));
      return true;
    });
    if (const auto next = watch.next_deadline()) arm_watch(*next);
  }
  for (const auto& c : expired) on_deadlock(c);
  for (const auto& b : batch_expired) batch_deadline(b);
}

void monitor_core::on_deadlock(const call_watch::call& c) {
  entry_ptr e;
  {
    std::lock_guard lk(mu);
    const auto it = callers.find(c.id);
    if (it == callers.end()) return;  // returned meanwhile
    e = it->second.lock();
    if (!e) return;
  }
  deadlocked(e, c.entry_point);
}

void monitor_core::deadlocked(const entry_ptr& e, const std::string& entry_point) {
  bool fail_it = false;
  {
    std::lock_guard lk(mu);
    ++e->deadlocks;
    e->quarantined = true;
    cancel_all_timers(*e);
    e->last_error = fmt::format("{} did not return within DeadlockTimeout {}ms", entry_point,
                                e->props.deadlock_timeout.count());
    push(*e, event_kind::deadlock, e->last_error + "; quarantined until an admin Online",
         stop_reason::none, make_error_code(errc::deadlock));
    // A stuck Terminate is not called again.
    fail_it = entry_point == "LooksAlive" || entry_point == "IsAlive";
  }
  flush();
  if (fail_it) {
    exec->execute([self = shared_from_this(), e] {
      self->fail_and_terminate(e, "deadlock in a health check");
    });
  }
}

// --- reports from runners -----------------------------------------------------

void monitor_core::on_report(const entry_ptr& e, const status_report& r) {
  {
    std::lock_guard lk(mu);
    const resource_state from = e->reported;
    e->reported = r.state;
    if (r.operation != 0) e->operation = r.operation;
    if (r.final && r.reason != stop_reason::none) {
      ++e->terminates;
      events.push(monitor_event{r.at, e->name, event_kind::terminated, from, from, r.operation,
                                r.checkpoint, r.reason, {}, r.error_text, r.error});
    }
    events.push(monitor_event{r.at, e->name, event_kind::status, from, r.state, r.operation,
                              r.checkpoint, r.reason, r.progress, r.error_text, r.error});
    if (is_pending(r.state)) {
      cancel_health(*e);  // the runner watches the operation's deadline
    } else {
      settled(e, r);
    }
  }
  flush();
}

// A final report (mu held).
void monitor_core::settled(const entry_ptr& e, const status_report& r) {
  const std::size_t zombies = e->runner ? e->runner->zombies() : 0;
  if (zombies > e->zombies_seen) {
    e->zombies_seen = zombies;
    push(*e, event_kind::zombie, r.error_text, r.reason, make_error_code(errc::wait_timeout));
  }
  switch (r.state) {
    case resource_state::online:
      e->policy.on_online();
      if (!shutting_down && !e->quarantined && !e->removed) {
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

void monitor_core::decide_restart(const entry_ptr& e, time_point now) {
  if (shutting_down || e->quarantined || e->removed) return;
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

void monitor_core::restart_tick(entry_ptr e) {
  {
    std::lock_guard lk(mu);
    e->restart_timer = 0;
    e->next_restart.reset();
    if (e->runner->state() != resource_state::failed || shutting_down || e->quarantined || e->removed) return;
    ++e->restarts;
    push(*e, event_kind::restart, fmt::format("automatic Online, attempt {}", e->restarts));
  }
  flush();
  call(e, "Online", [self = shared_from_this(), e] {
    auto started = e->runner->online();
    if (!started) {
      {
        std::lock_guard lk(self->mu);
        self->push(*e, event_kind::rejected, started.error().message, stop_reason::none,
                   started.error().code);
      }
      self->flush();
    }
  });
}

// --- admin requests -----------------------------------------------------------

result<entry_ptr> monitor_core::admin_target(std::string_view name, std::string_view what) const {
  std::lock_guard lk(mu);
  if (shutting_down) {
    return make_error(errc::shutting_down,
                      fmt::format("{} of \"{}\" refused: the monitor is shutting down", what, name));
  }
  return find_locked(name);
}

result<entry_ptr> monitor_core::admin(std::string_view name, std::string_view what) {
  auto e = admin_target(name, what);
  if (!e) return e;
  std::lock_guard lk(mu);
  entry& ent = **e;
  ent.quarantined = false;
  ent.policy.reset();
  cancel_timer(ent.restart_timer);
  ent.next_restart.reset();
  push(ent, event_kind::request, std::string(what));
  return e;
}

result<started_operation> monitor_core::start(std::string_view name, bool online,
                                              completion done) {
  auto e = admin(name, online ? "Online" : "Offline");
  flush();
  if (!e) return e.error();
  auto r = online ? (*e)->runner->online(std::move(done)) : (*e)->runner->offline(std::move(done));
  if (!r) {
    {
      std::lock_guard lk(mu);
      push(**e, event_kind::rejected, r.error().message, stop_reason::none, r.error().code);
    }
    flush();
  }
  return r;
}

}  // namespace pendop::posix::detail
