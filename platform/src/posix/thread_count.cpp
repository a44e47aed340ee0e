// SPDX-License-Identifier: MIT
#include <pendop/platform/thread_count.hpp>

#include <fstream>
#include <string>

namespace pendop::platform {

std::optional<int> process_thread_count() noexcept {
  try {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
    }
  } catch (...) {
    // An unreadable or odd /proc is "unknown" (nullopt), which callers handle.
  }
  return std::nullopt;
}

}  // namespace pendop::platform
