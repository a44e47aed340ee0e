// SPDX-License-Identifier: MIT
#include <pendop/platform/thread_priority.hpp>

#if defined(__linux__)
#include <sys/resource.h>
#endif

namespace pendop::platform {

#if defined(__linux__)

// On Linux the nice value belongs to the thread: PRIO_PROCESS with 0 is the
// calling thread.
void lower_current_thread_priority() noexcept { (void)::setpriority(PRIO_PROCESS, 0, 19); }

#else

void lower_current_thread_priority() noexcept {}

#endif

}  // namespace pendop::platform
