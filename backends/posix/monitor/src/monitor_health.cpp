// SPDX-License-Identifier: MIT
// Health polling: LooksAlive every LooksAlivePollInterval and IsAlive every
// IsAlivePollInterval while Online, never two checks of one resource at
// once; LooksAlive false calls IsAlive at once; IsAlive false makes the
// resource Failed, then calls Terminate (docs/resapi.md, "Entry points": IsAlive).
#include "monitor_core.hpp"

#include <pendop/host/invoke_operation.hpp>

#include <unordered_map>

namespace pendop::posix::detail {

void monitor_core::schedule_looks(const entry_ptr& e) {
  e->looks_scheduled = true;
  schedule_poll(e, poll_kind::looks_alive, e->props.looks_alive_poll_interval);
}

void monitor_core::schedule_is(const entry_ptr& e) {
  e->is_scheduled = true;
  schedule_poll(e, poll_kind::is_alive, e->props.is_alive_poll_interval);
}

void monitor_core::schedule_poll(const entry_ptr& e, poll_kind kind, duration interval) {
  // A new generation cancels the poll scheduled before.
  auto& generation = kind == poll_kind::looks_alive ? e->looks_generation : e->is_generation;
  const time_point at = polls.add(clock->now(), interval, {e, kind, ++generation});
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
// those to run go to one call thread together.
void monitor_core::poll_tick() {
  auto batch = std::make_shared<poll_batch>();
  std::vector<std::shared_ptr<poll_batch>> stalled;
  std::unordered_map<const entry*, std::size_t> in_batch;  // both checks due: one item
  {
    std::lock_guard lk(mu);
    poll_timer = 0;
    for (auto& item : polls.take_due(clock->now())) {
      auto e = item.target.lock();
      if (!e) continue;
      const bool looks = item.kind == poll_kind::looks_alive;
      if (item.generation != (looks ? e->looks_generation : e->is_generation)) continue;
      (looks ? e->looks_scheduled : e->is_scheduled) = false;
      if (e->runner->state() != resource_state::online || e->quarantined || e->removed || shutting_down) {
        continue;
      }
      if (looks) {
        schedule_looks(e);
      } else {
        schedule_is(e);
      }
      if (const auto it = in_batch.find(e.get()); it != in_batch.end()) {
        auto& c = batch->checks[it->second];  // its other check is in this batch
        (looks ? c.looks : c.is) = begin_watch(e, looks ? "LooksAlive" : "IsAlive");
        continue;
      }
      if (e->health_busy) continue;  // the previous check is still running
      e->health_busy = true;
      in_batch.emplace(e.get(), batch->checks.size());
      const auto id = begin_watch(e, looks ? "LooksAlive" : "IsAlive");
      batch->checks.push_back({std::move(e), looks ? id : 0, looks ? 0 : id});
    }
    stalled = stalled_batches();
    if (!batch->checks.empty()) batches.push_back(batch);
    if (const auto next = polls.next(); next && (poll_timer == 0 || *next < poll_at)) {
      arm_polls(*next);
    }
  }
  for (const auto& b : stalled) {
    exec->execute([self = shared_from_this(), b] { self->drain(*b); });
  }
  if (!batch->checks.empty()) {
    exec->execute([self = shared_from_this(), batch] { self->drain(*batch); });
  }
}

std::vector<std::shared_ptr<monitor_core::poll_batch>> monitor_core::stalled_batches() {
  std::vector<std::shared_ptr<poll_batch>> stalled;
  std::erase_if(batches, [&](const std::weak_ptr<poll_batch>& weak) {
    const auto b = weak.lock();
    if (!b) return true;
    std::lock_guard lk(b->mu);
    if (b->next == b->checks.size()) return true;  // every check taken
    if (b->next == b->seen_next) stalled.push_back(b);
    b->seen_next = b->next;
    return false;
  });
  return stalled;
}

// Runs a batch's checks one after another; several threads may share one.
void monitor_core::drain(poll_batch& b) {
  while (true) {
    poll_batch::check c;
    {
      std::lock_guard lk(b.mu);
      if (b.next == b.checks.size()) return;
      c = b.checks[b.next++];
    }
    std::string why;
    if (c.looks != 0) {
      const bool alive = invoke_looks_alive(*c.e->res, &why);
      if (!alive || c.is == 0) {
        // A failed LooksAlive calls IsAlive itself: the scheduled one is moot.
        after_looks_alive(c.e, alive, why);
        call_returned(c.e, c.looks);
        if (c.is != 0) call_returned(c.e, c.is);
        continue;
      }
      call_returned(c.e, c.looks);  // still busy: IsAlive follows
    }
    const bool alive = invoke_is_alive(*c.e->res, &why);
    after_is_alive(c.e, alive, why);
    call_returned(c.e, c.is);
  }
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
