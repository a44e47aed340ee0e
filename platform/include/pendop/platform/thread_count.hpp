// SPDX-License-Identifier: MIT
// The number of threads in this process: /proc/self/status on Linux, a
// Toolhelp snapshot on Windows. Used by the stress tests ("every worker was joined") and the idle benchmark.
#pragma once

#include <optional>

namespace pendop::platform {

/// Threads in the calling process, or nullopt where the OS does not say.
[[nodiscard]] std::optional<int> process_thread_count() noexcept;

}  // namespace pendop::platform
