// SPDX-License-Identifier: MIT
// Health polling: LooksAlive every LooksAlivePollInterval and IsAlive every
// IsAlivePollInterval while Online, never two checks of one resource at
// once; LooksAlive false calls IsAlive at once; IsAlive false makes the
// resource Failed, then calls Terminate (docs/resapi.md, "Entry points": IsAlive).
#include "monitor_core.hpp"

#include <pendop/host/invoke_operation.hpp>

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pendop::posix::detail {

void monitor_core::schedule_looks(const entry_ptr& e, std::optional<time_point> now) {
  e->looks_scheduled = true;
  schedule_poll(e, poll_kind::looks_alive, e->props.looks_alive_poll_interval, now);
}

void monitor_core::schedule_is(const entry_ptr& e, std::optional<time_point> now) {
  e->is_scheduled = true;
  schedule_poll(e, poll_kind::is_alive, e->props.is_alive_poll_interval, now);
}

void monitor_core::schedule_poll(const entry_ptr& e, poll_kind kind, duration interval,
                                 std::optional<time_point> now) {
  // A new generation cancels the poll scheduled before.
  auto& generation = kind == poll_kind::looks_alive ? e->looks_generation : e->is_generation;
  const time_point at = polls.add(now ? *now : clock->now(), interval, {e, kind, ++generation});
  if (poll_timer == 0 || at < poll_at) arm_polls(at);
}

void monitor_core::arm_polls(time_point when) {
  cancel_timer(poll_timer);
  poll_at = when;
  poll_timer = clock->schedule_at(when, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->poll_tick();
  });
}

// Every poll whose slice has ended: the next one of each is scheduled, and
// those to run go to one call thread together, watched as one batch.
void monitor_core::poll_tick() {
  auto batch = std::make_shared<poll_batch>();
  std::vector<std::shared_ptr<poll_batch>> stalled;
  {
    std::lock_guard lk(mu);
    poll_timer = 0;
    const time_point now = clock->now();
    // First the checks that passed since the last tick are settled, so their
    // resources are not busy for the polls now due.
    stalled = stalled_batches();
    auto due = polls.take_due(now);
    batch->checks.reserve(due.size());
    const std::uint64_t tick = ++poll_ticks;
    for (auto& item : due) {
      auto e = item.target.lock();
      if (!e) continue;
      const bool looks = item.kind == poll_kind::looks_alive;
      // A poll of the current generation means the last report was Online:
      // every report that leaves Online cancels the polls (a new
      // generation), so no lock of the runner is needed here.
      if (item.generation != (looks ? e->looks_generation : e->is_generation)) continue;
      (looks ? e->looks_scheduled : e->is_scheduled) = false;
      if (e->quarantined || e->removed || shutting_down) continue;
      if (looks) {
        schedule_looks(e, now);
      } else {
        schedule_is(e, now);
      }
      if (e->batch_tick == tick) {  // its other check is in this batch
        auto& c = batch->checks[e->batch_index];
        (looks ? c.looks : c.is) = true;
        continue;
      }
      if (e->health_busy) continue;  // the previous check is still running
      e->health_busy = true;
      e->batch_tick = tick;
      e->batch_index = batch->checks.size();
      const duration timeout = e->props.deadlock_timeout;
      if (batch->checks.empty() || timeout < batch->least_timeout) batch->least_timeout = timeout;
      batch->checks.push_back({std::move(e), looks, !looks});
    }
    if (!batch->checks.empty()) {
      auto& first = batch->lanes.emplace_back();  // the first thread's, its first check taken
      first.index = 0;
      first.since = now;
      first.in_is = !batch->checks.front().looks;
      batch->next = 1;
      batch->draining = 1;
      // Every check counts its DeadlockTimeout from now, when it fell due
      // (as a call counts from when it was made); when the least of them
      // has run out, the lanes say which checks are still running.
      watch_batch(batch, now + batch->least_timeout);
      batches.push_back(batch);
    }
    if (const auto next = polls.next(); next && (poll_timer == 0 || *next < poll_at)) {
      arm_polls(*next);
    }
  }
  for (const auto& b : stalled) {
    exec->execute([self = shared_from_this(), b] { self->drain(*b, false); });
  }
  if (!batch->checks.empty()) {
    exec->execute([self = shared_from_this(), batch] { self->drain(*batch, true); });
  }
}

void monitor_core::watch_batch(const std::shared_ptr<poll_batch>& b, time_point deadline) {
  b->watch = watch.begin({}, "health checks", deadline);
  batch_watches.emplace(b->watch, b);
  if (watch_timer == 0 || deadline < watch_at) arm_watch(deadline);
}

std::vector<std::shared_ptr<monitor_core::poll_batch>> monitor_core::stalled_batches() {
  std::vector<std::shared_ptr<poll_batch>> stalled;
  std::erase_if(batches, [&](const std::weak_ptr<poll_batch>& weak) {
    const auto b = weak.lock();
    if (!b) return true;
    std::vector<entry_ptr> passed;
    bool done = false;
    {
      std::lock_guard lk(b->mu);
      passed.swap(b->passed);
      done = b->next == b->checks.size() && b->draining == 0;
      if (!done && b->next < b->checks.size() && b->next == b->seen_next) stalled.push_back(b);
      b->seen_next = b->next;
    }
    for (const auto& e : passed) e->health_busy = false;
    return done;
  });
  return stalled;
}

// Runs a batch's checks one after another; several threads may share one,
// each in a lane of its own. The first thread runs the lane poll_tick made
// with the first check taken: that check counts as made when it fell due,
// as a call does, even before a thread picks it up.
void monitor_core::drain(poll_batch& b, bool first) {
  poll_batch::lane* lane = nullptr;
  poll_batch::check c;
  {
    const time_point now = first ? time_point{} : clock->now();
    std::lock_guard lk(b.mu);
    if (first) {
      lane = &b.lanes.front();
      c = b.checks[lane->index];
    } else {
      ++b.draining;
      lane = &b.lanes.emplace_back();
      lane->since = now;  // a thread taking over a stalled batch: its checks count from now
    }
  }
  entry_ptr passed;                    // the check before, if it passed
  std::optional<std::string> late;     // the check before returned after being named
  entry_ptr late_entry;
  std::vector<entry_ptr> settle;
  bool last = false;
  while (true) {
    if (!c.e) {
      std::lock_guard lk(b.mu);
      if (passed) b.passed.push_back(std::move(passed));
      if (lane->reported) {
        late = lane->in_is ? "IsAlive" : "LooksAlive";
        late_entry = b.checks[lane->index].e;
        lane->reported = false;
      }
      if (b.next == b.checks.size()) {
        lane->index = poll_batch::lane::none;
        --b.draining;
        last = b.draining == 0;
        settle.swap(b.passed);
        break;
      }
      lane->index = b.next;
      lane->in_is = !b.checks[b.next].looks;
      c = b.checks[b.next++];
    }
    if (late) {
      report_late(late_entry, *late);
      late.reset();
    }
    run_check(std::move(c), *lane, passed);
    c = {};
  }
  if (late) report_late(late_entry, *late);
  // One lock for the checks that passed, and the batch's watch once its
  // last thread leaves.
  std::lock_guard lk(mu);
  for (const auto& e : settle) e->health_busy = false;
  if (last && b.watch != 0) {
    batch_watches.erase(b.watch);
    (void)watch.end(b.watch);  // the watch timer re-arms itself when it fires
    b.watch = 0;
  }
}

// One resource's checks; `passed` is set when all of them passed (the
// caller settles it with the batch), a failure is handled at once.
void monitor_core::run_check(poll_batch::check c, poll_batch::lane& lane, entry_ptr& passed) {
  std::string why;
  if (c.looks) {
    const bool alive = invoke_looks_alive(*c.e->res, &why);
    if (!alive) {  // a failed LooksAlive calls IsAlive itself: a scheduled one is moot
      after_looks_alive(c.e, alive, why);
      return;
    }
    if (!c.is) {
      passed = std::move(c.e);
      return;
    }
    lane.in_is = true;  // still busy: IsAlive follows
  }
  const bool alive = invoke_is_alive(*c.e->res, &why);
  if (alive) {
    passed = std::move(c.e);
  } else {
    after_is_alive(c.e, alive, why);
  }
}

void monitor_core::batch_deadline(const std::shared_ptr<poll_batch>& b) {
  std::vector<std::pair<entry_ptr, std::string>> stuck;
  {
    std::lock_guard lk(mu);
    const auto it = batch_watches.find(b->watch);
    if (b->watch == 0 || it == batch_watches.end()) return;  // the batch ended meanwhile
    batch_watches.erase(it);
    (void)watch.end(b->watch);
    b->watch = 0;
    const time_point now = clock->now();
    std::optional<time_point> next;
    {
      std::lock_guard blk(b->mu);
      for (auto& lane : b->lanes) {
        if (lane.index == poll_batch::lane::none || lane.reported) continue;
        const auto& e = b->checks[lane.index].e;
        const time_point due = lane.since + e->props.deadlock_timeout;
        if (due <= now) {
          lane.reported = true;
          stuck.emplace_back(e, lane.in_is ? "IsAlive" : "LooksAlive");
        } else if (!next || due < *next) {
          next = due;
        }
      }
      // Checks not taken yet: a lane that takes over starts its count now.
      if (b->next < b->checks.size()) {
        const time_point soon = now + b->least_timeout;
        if (!next || soon < *next) next = soon;
      }
      if (b->draining == 0 && b->next == b->checks.size()) next.reset();
    }
    if (next) watch_batch(b, *next);
  }
  for (const auto& [e, entry_point] : stuck) deadlocked(e, entry_point);
}

void monitor_core::run_is_alive(const entry_ptr& e) {
  call(e, "IsAlive", [self = shared_from_this(), e] {
    std::string why;
    const bool alive = invoke_is_alive(*e->res, &why);
    self->after_is_alive(e, alive, why);
  });
}

void monitor_core::after_looks_alive(const entry_ptr& e, bool alive, const std::string& why) {
  {
    std::lock_guard lk(mu);
    if (alive || e->runner->state() != resource_state::online || shutting_down) {
      e->health_busy = false;
      return;
    }
    ++e->looks_alive_failures;
    push(*e, event_kind::looks_alive_failed,
         (why.empty() ? std::string("LooksAlive returned FALSE") : why) + "; calling IsAlive now",
         stop_reason::none, make_error_code(errc::health_check_failed));
  }
  flush();
  run_is_alive(e);  // health_busy stays set until IsAlive answers
}

void monitor_core::after_is_alive(const entry_ptr& e, bool alive, const std::string& why) {
  {
    std::lock_guard lk(mu);
    e->health_busy = false;
    if (alive || e->runner->state() != resource_state::online || shutting_down) return;
    ++e->is_alive_failures;
    push(*e, event_kind::is_alive_failed,
         (why.empty() ? std::string("IsAlive returned FALSE") : why) + "; Failed, then Terminate",
         stop_reason::none, make_error_code(errc::health_check_failed));
  }
  flush();
  call(e, "Terminate", [this, e, why] {  // `call` keeps this core alive meanwhile
    fail_and_terminate(e, why.empty() ? std::string("IsAlive returned FALSE") : why);
  });
}

void monitor_core::failure_reported(const entry_ptr& e, std::uint64_t operation,
                                    std::string why) {
  // On a call thread: the signal may come from inside resource code. The
  // engine decides whether Online `operation` is still current.
  call(e, "Terminate", [this, e, operation, why = std::move(why)] {
    {
      std::lock_guard lk(mu);
      if (shutting_down) return;
    }
    if (!fail_and_terminate(e, "reported by the resource: " + why, operation)) return;
    {
      std::lock_guard lk(mu);
      push(*e, event_kind::failure_reported, why + "; Failed, then Terminate", stop_reason::none,
           make_error_code(errc::health_check_failed));
    }
    flush();
  });
}

// A failed health check: the runner makes the resource Failed, then calls
// its terminate(); the Terminate is an event and counted like any other.
// False when the failure was not recorded (the resource moved on meanwhile,
// or Online `operation` has ended).
bool monitor_core::fail_and_terminate(const entry_ptr& e, const std::string& why,
                                      std::uint64_t operation) {
  if (const auto failed = e->runner->fail(why, operation); !failed || !*failed) return false;
  {
    std::lock_guard lk(mu);
    ++e->terminates;
    // A terminated event names the operation it stopped; this Terminate
    // stopped none (the Online it follows had ended): operation 0.
    events.push(monitor_event{clock->now(), e->name, event_kind::terminated, e->reported,
                              e->reported, 0, 0, stop_reason::terminate_called, {},
                              "after a failed health check: " + why,
                              make_error_code(errc::health_check_failed)});
  }
  flush();
  return true;
}

}  // namespace pendop::posix::detail
