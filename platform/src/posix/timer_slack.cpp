// SPDX-License-Identifier: MIT
#include <pendop/platform/timer_slack.hpp>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace pendop::platform {

#if defined(__linux__)

void make_current_thread_timers_precise() noexcept {
  (void)::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

#else

void make_current_thread_timers_precise() noexcept {}

#endif

}  // namespace pendop::platform
