// SPDX-License-Identifier: MIT
// Names the calling thread, so workers show up as "pd:<resource>" in
// `top -H`, gdb and /proc, or in a Windows debugger and ETW traces
// (`SetThreadDescription`, where the system has it: Windows 10 1607 and
// later). Best effort: names longer than the OS limit (15 bytes on Linux)
// are truncated; failures are ignored.
#pragma once

#include <string_view>

namespace pendop::platform {

/// Sets the calling thread's name (truncated to the OS limit).
void set_current_thread_name(std::string_view name) noexcept;

}  // namespace pendop::platform
