// SPDX-License-Identifier: MIT
#include <pendop/platform/thread_priority.hpp>

#include <windows.h>

namespace pendop::platform {

// LOWEST, not IDLE: an idle-priority thread can wait for good behind a busy
// machine, and this one still has its exit to finish.
void lower_current_thread_priority() noexcept {
  (void)::SetThreadPriority(::GetCurrentThread(), THREAD_PRIORITY_LOWEST);
}

}  // namespace pendop::platform
