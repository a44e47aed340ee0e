// SPDX-License-Identifier: MIT
#include <pendop/platform/thread_name.hpp>

#include <pthread.h>

#include <string>

namespace pendop::platform {

void set_current_thread_name(std::string_view name) noexcept {
  constexpr std::size_t k_limit = 15;  // 16 bytes including the terminator (Linux)
  try {
    const std::string truncated(name.substr(0, k_limit));
    (void)pthread_setname_np(pthread_self(), truncated.c_str());
  } catch (...) {
    // Naming is diagnostics only; out of memory here is not worth failing for.
  }
}

}  // namespace pendop::platform
