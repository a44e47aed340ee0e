// SPDX-License-Identifier: MIT
// Windows has no per-thread timer slack; its timer resolution is the whole
// process's (timeBeginPeriod), a choice left to the program.
#include <pendop/platform/timer_slack.hpp>

namespace pendop::platform {

void make_current_thread_timers_precise() noexcept {}

}  // namespace pendop::platform
