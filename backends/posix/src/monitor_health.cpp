// SPDX-License-Identifier: MIT
// Health polling: LooksAlive every LooksAlivePollInterval and IsAlive every
// IsAlivePollInterval while Online, never two checks of one resource at
// once; LooksAlive false calls IsAlive at once; IsAlive false makes the
// resource Failed, then calls Terminate (docs/resapi.md, "Resource failure").
#include "monitor_core.hpp"

#include <pendop/invoke_operation.hpp>

namespace pendop::posix::detail {

void monitor_core::schedule_looks(const entry_ptr& e) {
  cancel_timer(e->looks_timer);
  e->looks_timer =
      at(clock->now() + e->props.looks_alive_poll_interval, e, &monitor_core::looks_tick);
}

void monitor_core::schedule_is(const entry_ptr& e) {
  cancel_timer(e->is_timer);
  e->is_timer = at(clock->now() + e->props.is_alive_poll_interval, e, &monitor_core::is_tick);
}

void monitor_core::looks_tick(entry_ptr e) {
  {
    std::lock_guard lk(mu);
    e->looks_timer = 0;
    if (e->state != resource_state::online || e->quarantined || e->removed || shutting_down) return;
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

void monitor_core::is_tick(entry_ptr e) {
  {
    std::lock_guard lk(mu);
    e->is_timer = 0;
    if (e->state != resource_state::online || e->quarantined || e->removed || shutting_down) return;
    schedule_is(e);
    if (e->health_busy) return;
    e->health_busy = true;
  }
  run_is_alive(e);
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
    if (alive || e->state != resource_state::online || shutting_down) {
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
    if (alive || e->state != resource_state::online || shutting_down) return;
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
  // On a call thread: the signal may come from inside resource code.
  call(e, "Terminate", [this, e, operation, why = std::move(why)] {
    {
      std::lock_guard lk(mu);
      if (e->state != resource_state::online || e->operation != operation || shutting_down) {
        return;
      }
      push(*e, event_kind::failure_reported, why + "; Failed, then Terminate", stop_reason::none,
           make_error_code(errc::health_check_failed));
    }
    flush();
    fail_and_terminate(e, "reported by the resource: " + why);
  });
}

// A failed health check: the runner makes the resource Failed, then calls
// its terminate(); the Terminate is an event and counted like any other.
void monitor_core::fail_and_terminate(const entry_ptr& e, const std::string& why) {
  {
    std::lock_guard lk(mu);
    if (e->state != resource_state::online) return;  // moved on meanwhile
  }
  if (!e->runner->fail(why)) return;
  {
    std::lock_guard lk(mu);
    ++e->terminates;
    // A terminated event names the operation it stopped; this Terminate
    // stopped none (the Online it follows had ended): operation 0.
    events.push(monitor_event{clock->now(), e->name, event_kind::terminated, e->state, e->state,
                              0, 0, stop_reason::terminate_called, {},
                              "after a failed health check: " + why,
                              make_error_code(errc::health_check_failed)});
  }
  flush();
}

}  // namespace pendop::posix::detail
