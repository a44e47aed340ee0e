// SPDX-License-Identifier: MIT
// Gives the calling thread the lowest normal scheduling priority, for the
// rest of its life (an unprivileged thread cannot raise it again). For a
// thread about to exit: the work of its exit (freeing its stack, which on
// Linux means unmapping it and flushing other CPUs' TLBs) then yields to
// threads with something to do, such as the monitor stopping a timed-out
// operation. Nice 19 on Linux, where priority is per thread;
// THREAD_PRIORITY_LOWEST on Windows; nothing where it is not per thread. Best effort: failures are ignored.
#pragma once

namespace pendop::platform {

/// Lowers the calling thread to the lowest normal priority, for good.
void lower_current_thread_priority() noexcept;

}  // namespace pendop::platform
