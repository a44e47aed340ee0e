// SPDX-License-Identifier: MIT
#include <pendop/detail/resource_tracker.hpp>

#include <pendop/detail/state_machine.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace pendop {

resource_tracker::resource_tracker(std::string name, milliseconds pending_timeout,
                                   resource_state initial)
    : name_(std::move(name)), state_(initial), watchdog_(pending_timeout) {}

status_report resource_tracker::make_report(resource_state s, time_point now) {
  status_report r;
  r.resource = name_;
  r.operation = op_id_;
  r.kind = op_kind_;
  r.state = s;
  r.checkpoint = checkpoint_;
  r.at = now;
  return r;
}

result<status_report> resource_tracker::begin(operation_kind kind, time_point now) {
  const auto event = kind == operation_kind::online ? resource_event::online_requested
                                                    : resource_event::offline_requested;
  const transition t = next(state_, event);
  if (t.outcome != verdict::accepted) {
    const std::string why = t.reason == errc::operation_pending
                                ? fmt::format(" (operation {} is still pending)", op_id_)
                                : std::string();
    return make_error(t.reason, fmt::format("{} rejected: resource \"{}\" is {}{}", to_string(kind),
                                            name_, to_string(state_), why));
  }
  ++op_id_;
  op_kind_ = kind;
  checkpoint_ = 0;
  stop_ = stop_reason::none;
  state_ = t.next;
  status_report r = make_report(state_, now);
  if (is_pending(state_)) {
    op_active_ = true;
    watchdog_.arm(now);
    op_deadline_.reset();
    if (op_limit_) op_deadline_ = now + *op_limit_;
  } else {
    r.final = true;  // settled at once: no work to run
  }
  return r;
}

resource_tracker::report_outcome resource_tracker::report(std::uint64_t id, const progress& p,
                                                          time_point now) {
  const auto stamp = note_progress(id, now);
  if (!stamp) return {exit_state::terminate, std::nullopt};
  status_report r;  // final, reason and errors as made, as in every progress report
  r.resource = name_;
  write_progress(r, *stamp, p);
  return {exit_state::proceed, std::move(r)};
}

std::optional<status_report> resource_tracker::finish(std::uint64_t id, const result<void>& r,
                                                      time_point now) {
  if (stop_requested(id)) return std::nullopt;  // stale, or the stopper reports the end
  const transition t =
      next(state_, r ? resource_event::completed : resource_event::failed);
  op_active_ = false;
  watchdog_.disarm();
  op_deadline_.reset();
  ++checkpoint_;
  state_ = t.next;
  status_report out = make_report(state_, now);
  out.final = true;
  if (!r) {
    out.error = r.error().code;
    out.error_text = r.error().message;
  }
  return out;
}

resource_tracker::stop_outcome resource_tracker::request_stop(stop_reason why) noexcept {
  if (!op_active_) return stop_outcome::nothing_pending;
  if (stop_ != stop_reason::none) return stop_outcome::already_stopping;
  stop_ = why == stop_reason::none ? stop_reason::terminate_called : why;
  watchdog_.disarm();
  op_deadline_.reset();
  return stop_outcome::started;
}

stop_reason resource_tracker::reason(std::uint64_t id) const noexcept {
  if (id != op_id_) return stop_reason::shutdown;
  return stop_;
}

std::optional<status_report> resource_tracker::settle(stop_reason why, time_point now,
                                                      std::string note) {
  // A pending operation ends for the reason latched by request_stop.
  if (op_active_ && stop_ != stop_reason::none) why = stop_;
  if (why == stop_reason::none) why = stop_reason::terminate_called;
  const auto event = why == stop_reason::pending_timeout ? resource_event::pending_timeout
                                                         : resource_event::terminate_requested;
  const transition t = next(state_, event);
  if (!op_active_) {
    if (t.outcome != verdict::accepted || t.next == state_) return std::nullopt;
    state_ = t.next;
    status_report r = make_report(state_, now);
    r.operation = 0;  // not part of any operation
    r.final = true;
    r.reason = why;
    r.error_text = std::move(note);
    return r;
  }
  op_active_ = false;
  watchdog_.disarm();
  op_deadline_.reset();
  ++checkpoint_;
  state_ = t.next;
  status_report r = make_report(state_, now);
  r.final = true;
  r.reason = why;
  r.error = make_error_code(errc::stopped);
  r.error_text = note.empty() ? fmt::format("{} stopped: {}", to_string(op_kind_), to_string(r.reason))
                              : std::move(note);
  return r;
}

std::optional<status_report> resource_tracker::force_down(stop_reason why, time_point now) {
  if (op_active_) return std::nullopt;
  const transition t = next(state_, resource_event::forced_down);
  if (t.outcome != verdict::accepted) return std::nullopt;
  state_ = t.next;
  status_report r = make_report(state_, now);
  r.operation = 0;  // not part of any operation
  r.final = true;
  r.reason = why == stop_reason::none ? stop_reason::terminate_called : why;
  return r;
}

result<std::optional<status_report>> resource_tracker::fail(std::string why, time_point now) {
  if (op_active_) {
    return make_error(errc::operation_pending,
                      fmt::format("failure of resource \"{}\" not recorded: {} operation {} is "
                                  "pending",
                                  name_, to_string(op_kind_), op_id_));
  }
  const transition t = next(state_, resource_event::failed);
  if (t.outcome == verdict::ignored) return std::optional<status_report>{};
  if (t.outcome == verdict::rejected) {
    return make_error(t.reason, fmt::format("failure of resource \"{}\" not recorded: it is {}",
                                            name_, to_string(state_)));
  }
  state_ = t.next;
  status_report r = make_report(state_, now);
  r.operation = 0;  // not part of any operation
  r.final = true;
  r.error = make_error_code(errc::health_check_failed);
  r.error_text = std::move(why);
  return std::optional<status_report>{std::move(r)};
}

bool resource_tracker::poll_timeout(time_point now) noexcept {
  if (!op_active_ || stop_ != stop_reason::none) return false;
  if (op_deadline_ && now >= *op_deadline_) {
    watchdog_.disarm();
    op_deadline_.reset();
    return true;
  }
  return watchdog_.poll(now) == pending_watchdog::status::expired;
}

std::optional<time_point> resource_tracker::deadline() const noexcept {
  const auto inactivity = watchdog_.deadline();
  if (!inactivity) return std::nullopt;
  if (op_deadline_ && *op_deadline_ < *inactivity) return op_deadline_;
  return inactivity;
}

duration resource_tracker::time_left(time_point now) const noexcept {
  const auto d = deadline();
  if (!d || now >= *d) return duration::zero();
  return *d - now;
}

}  // namespace pendop
