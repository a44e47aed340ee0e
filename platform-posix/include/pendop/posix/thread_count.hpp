// SPDX-License-Identifier: MIT
// The number of threads in this process, from /proc/self/status. Used by
// the stress tests ("every worker was joined") and the idle benchmark.
#pragma once

#include <optional>

namespace pendop::posix {

/// Threads in the calling process, or nullopt where /proc is unavailable.
[[nodiscard]] std::optional<int> process_thread_count() noexcept;

}  // namespace pendop::posix
