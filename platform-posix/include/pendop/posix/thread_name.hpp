// SPDX-License-Identifier: MIT
// Names the calling thread, so workers show up as "pd:<resource>" in
// `top -H`, gdb and /proc. Best effort: names longer than the OS limit (15
// bytes on Linux) are truncated; failures are ignored.
#pragma once

#include <string_view>

namespace pendop::posix {

/// Sets the calling thread's name (truncated to the OS limit).
void set_current_thread_name(std::string_view name) noexcept;

}  // namespace pendop::posix
