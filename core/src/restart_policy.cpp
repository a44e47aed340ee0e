// SPDX-License-Identifier: MIT
#include <pendop/detail/restart_policy.hpp>

#include <fmt/format.h>

namespace pendop {

std::string_view to_string(restart_decision::action a) noexcept {
  switch (a) {
    case restart_decision::action::restart: return "restart";
    case restart_decision::action::retry_later: return "retry_later";
    case restart_decision::action::stay_failed: return "stay_failed";
  }
  return "stay_failed";
}

void restart_policy::prune(time_point now) {
  while (!failures_.empty() && failures_.front() <= now - props_.restart_period) {
    failures_.pop_front();
  }
}

std::size_t restart_policy::failures_in_period(time_point now) const noexcept {
  std::size_t n = 0;
  for (time_point t : failures_) n += (t > now - props_.restart_period) ? 1 : 0;
  return n;
}

restart_decision restart_policy::on_failure(time_point now) {
  restart_decision d;
  prune(now);
  failures_.push_back(now);
  d.failures_in_period = failures_.size();

  if (props_.restart == restart_action::dont_restart) {
    d.why = "RestartAction is dont_restart";
    return d;
  }
  if (retry_pending_) {
    retry_pending_ = false;
    d.why = "the retry after RetryPeriodOnFailure failed too; an admin Online is needed";
    return d;
  }
  if (d.failures_in_period <= props_.restart_threshold) {
    d.what = restart_decision::action::restart;
    d.at = now + props_.restart_delay;
    d.why = fmt::format("failure {} of {} allowed within RestartPeriod {}ms; restart in {}ms",
                        d.failures_in_period, props_.restart_threshold,
                        props_.restart_period.count(), props_.restart_delay.count());
    return d;
  }
  d.escalate = props_.restart == restart_action::restart_notify;
  const std::string over =
      fmt::format("failure {} exceeds RestartThreshold {} within RestartPeriod {}ms{}",
                  d.failures_in_period, props_.restart_threshold, props_.restart_period.count(),
                  d.escalate ? " (fail over)" : "");
  if (static_cast<std::uint64_t>(props_.retry_period_on_failure.count()) == dword_max) {
    d.why = over + "; RetryPeriodOnFailure is infinite";
    return d;
  }
  d.what = restart_decision::action::retry_later;
  d.at = now + props_.retry_period_on_failure;
  retry_pending_ = true;
  d.why = fmt::format("{}; one more attempt after RetryPeriodOnFailure {}ms", over,
                      props_.retry_period_on_failure.count());
  return d;
}

}  // namespace pendop
