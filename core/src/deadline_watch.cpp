// SPDX-License-Identifier: MIT
#include "deadline_watch.hpp"

#include "engine_core.hpp"

#include <utility>

namespace pendop::detail {

deadline_watch::deadline_watch(std::shared_ptr<deadline_timers> timers, duration stop_wait,
                               deadline_tuning tuning) noexcept
    : timers_(std::move(timers)), stop_wait_(stop_wait), tuning_(tuning) {}

deadline_watch::~deadline_watch() { cancel(); }

void deadline_watch::cancel() noexcept {
  if (!timers_) return;
  std::lock_guard lk(mu_);
  if (timer_ != 0) timers_->cancel(timer_);
  if (due_ != 0) timers_->cancel_call(due_);
  timer_ = 0;
  due_ = 0;
}

// By a call thread that waits for the deadline itself (calls_wait_for_deadlines),
// else by the timer, which fires `lead` before it while a call thread waits
// out the rest.
void deadline_watch::watch(engine_core& core, time_point deadline) {
  if (!timers_) return;
  if (tuning_.calls_wait_for_deadlines && watch_on_calls(core, deadline)) return;
  arm(core, deadline - tuning_.lead);
}

bool deadline_watch::watch_on_calls(engine_core& core, time_point deadline) {
  std::lock_guard lk(mu_);
  if (due_ != 0 && due_at_ <= deadline) return true;  // an earlier check re-arms itself
  if (due_ != 0) timers_->cancel_call(due_);
  due_ = timers_->call_at(deadline, [weak = core.weak_from_this(), gen = ++due_gen_] {
    if (auto c = weak.lock()) c->watch.on_due(*c, gen);
  });
  due_at_ = deadline;
  return due_ != 0;
}

void deadline_watch::arm(engine_core& core, time_point when) {
  std::lock_guard lk(mu_);
  if (timer_ != 0 && armed_at_ <= when) return;  // an earlier check re-arms itself
  if (timer_ != 0) timers_->cancel(timer_);
  armed_at_ = when;
  timer_ = timers_->at(when, [weak = core.weak_from_this()] {
    if (auto c = weak.lock()) c->watch.on_timer(*c);
  });
}

void deadline_watch::settled(engine_core& core) {
  if (!timers_) return;
  std::lock_guard lk(mu_);
  if ((timer_ == 0 && due_ == 0) || core.deadline()) return;
  if (timer_ != 0) timers_->cancel(timer_);
  if (due_ != 0) timers_->cancel_call(due_);
  timer_ = 0;
  due_ = 0;
}

// The deadline may have moved since the timer was armed (a report moves it
// without touching the timer): re-arm, or stop the operation.
void deadline_watch::on_timer(engine_core& core) {
  {
    std::lock_guard lk(mu_);
    timer_ = 0;
  }
  const auto deadline = core.deadline();
  if (!deadline) return;  // settled, or already stopping
  if (*deadline - tuning_.lead > timers_->now()) {
    watch(core, *deadline);
    return;
  }
  // terminate() runs on a call thread (it is resource code) and returns
  // without waiting for the body: its return settles the operation, or,
  // stop_wait later, the body is abandoned as a zombie. The call thread is
  // woken `lead` early and waits for the deadline itself, so its wake-up is
  // not part of the stop's lateness.
  timers_->call([weak = core.weak_from_this(), when = *deadline] {
    auto c = weak.lock();
    if (!c) return;
    if (c->watch.tuning_.lead > duration::zero()) c->watch.timers_->wait_until(when);
    c->watch.stop_if_due(*c);
  });
}

void deadline_watch::on_due(engine_core& core, std::uint64_t gen) {
  {
    std::lock_guard lk(mu_);
    if (gen == due_gen_) due_ = 0;  // else a later check is armed already
  }
  const auto deadline = core.deadline();
  if (!deadline) return;  // settled, or already stopping
  if (*deadline > timers_->now()) {
    watch(core, *deadline);  // moved by a report since
    return;
  }
  stop_if_due(core);
}

// On a call thread, at the deadline: the engine re-checks it and stops the
// operation; stop_wait later a body that ignored the stop is abandoned, on
// a call thread (the engine may wait briefly there).
void deadline_watch::stop_if_due(engine_core& core) {
  const auto stopped = core.expire();
  if (!stopped) {
    // Not due after all (a report moved the deadline meanwhile): watch the
    // new one, since this check has run.
    if (const auto next = core.deadline()) watch(core, *next);
    return;
  }
  timers_->at(timers_->now() + stop_wait_, [weak = core.weak_from_this(), id = *stopped] {
    auto c = weak.lock();
    if (!c) return;
    c->watch.timers_->call([weak = c->weak_from_this(), id] {
      if (auto again = weak.lock()) again->reap_overdue(id);
    });
  });
}

}  // namespace pendop::detail
