// SPDX-License-Identifier: MIT
// Makes the calling thread's timed waits wake on time. Linux lets a timed
// wait (a futex, nanosleep, poll) end up to the thread's timer slack late,
// 50 µs by default, to batch wake-ups; a thread that waits for a deadline on
// purpose (a call thread waiting out the last of a PendingTimeout) sets its
// slack to the minimum, as timers on a timerfd (Asio's) already are.
// Nothing on systems without timer slack. On Windows the timer resolution
// is the whole process's (timeBeginPeriod), not one thread's, and is left to
// the program. Best effort: failures are ignored.
#pragma once

namespace pendop::platform {

/// Sets the calling thread's timer slack to the minimum (1 ns).
void make_current_thread_timers_precise() noexcept;

}  // namespace pendop::platform
