// SPDX-License-Identifier: MIT
// Starts a thread that nobody joins: it frees what it holds as it exits.
// `std::thread(...).detach()` on POSIX. On Windows a native thread
// (`_beginthreadex`, its handle closed at once): MinGW-w64's winpthreads
// (version 10, Debian 12's) races in `pthread_detach`, and a thread detached
// that way can make a wake-up sent just before its exit go missing, or crash
// in its exit (measured under Wine: 2 to 4 lost wake-ups in 3 000 detached
// threads; none with native threads or joined ones).
#pragma once

#include <functional>

namespace pendop::platform {

/// Runs `body` on a new, detached thread. An exception that escapes `body`
/// ends the process (std::terminate), as with std::thread. Throws
/// std::system_error when the OS refuses a thread.
void start_detached_thread(std::function<void()> body);

}  // namespace pendop::platform
