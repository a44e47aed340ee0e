// SPDX-License-Identifier: MIT
#include "simulated_resource.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace pendop_cli {

pendop::result<void> simulated_resource::run(pendop::operation& op, long long total_ms,
                                             const char* stage, bool online) {
  if (online && spec_.never_reports) {
    if (spec_.ignore_terminate) {
      std::this_thread::sleep_for(std::chrono::milliseconds(total_ms));
    } else {
      (void)op.wait_for(std::chrono::hours(24));
    }
    return pendop::ok();
  }
  long long done = 0;
  while (done < total_ms) {
    const long long step = std::min(spec_.report_ms, total_ms - done);
    if (spec_.ignore_terminate) {
      std::this_thread::sleep_for(std::chrono::milliseconds(step));
    } else if (!op.wait_for(std::chrono::milliseconds(step))) {
      return pendop::ok();
    }
    done += step;
    const auto answer = op.report({.stage = stage,
                                   .percent = static_cast<int>(done * 100 / std::max(total_ms, 1LL)),
                                   .text = fmt::format("{} of {} ms", done, total_ms)});
    if (answer == pendop::exit_state::terminate && !spec_.ignore_terminate) return pendop::ok();
    if (online && spec_.fail_online) {
      return pendop::make_error(pendop::errc::operation_failed, "simulated Online failure");
    }
  }
  return pendop::ok();
}

pendop::result<void> simulated_resource::online(pendop::operation& op) {
  forced_failure_ = false;
  auto r = run(op, spec_.online_ms, "online", true);
  online_at_ = std::chrono::steady_clock::now().time_since_epoch().count();
  return r;
}

pendop::result<void> simulated_resource::offline(pendop::operation& op) {
  return run(op, spec_.offline_ms, "offline", false);
}

bool simulated_resource::healthy() const noexcept {
  if (forced_failure_) return false;
  if (spec_.health_fails_after_ms <= 0) return true;
  const auto since = std::chrono::steady_clock::now().time_since_epoch() -
                     std::chrono::steady_clock::duration(online_at_.load());
  return since < std::chrono::milliseconds(spec_.health_fails_after_ms);
}

}  // namespace pendop_cli
